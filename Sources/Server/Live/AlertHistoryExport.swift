import Alerts
import Lakehouse
import Logging

/// Copies the serving process's alert history into the lake's `alerts` table, in batches: every
/// `interval` it appends whatever fired or resolved since the last commit, in one commit, so a
/// burst of alerts costs one version, not one per alert.
///
/// Exactly-once across restarts: the table's `txn` version for `appId` says how far the
/// history is in the lake; the monitor keeps the rest in its journal until told.
public struct AlertHistoryExport: Sendable {
    let lake: Lake
    let alerts: AlertMonitor
    let appId: String
    let interval: Duration
    let batchLimit: Int
    let logger: Logger

    /// - Parameter appId: this writer's `txn` id; one alert-evaluating process per lake uses
    ///   it (another process must use its own, or their positions would collide).
    public init(lake: Lake, alerts: AlertMonitor, appId: String = "cryptoviz-alerts", interval: Duration = .seconds(1),
                batchLimit: Int = 5_000, logger: Logger) {
        self.lake = lake
        self.alerts = alerts
        self.appId = appId
        self.interval = interval
        self.batchLimit = batchLimit
        self.logger = logger
    }

    /// Exports until cancelled; lake failures are retried every `interval` (warned once per run of them).
    public func run() async {
        var committed: Int?
        var failing = false
        while !Task.isCancelled {
            do {
                try await exportPending(&committed)
                if failing { logger.info("alert history reaches the lake again") }
                failing = false
            } catch is CancellationError {
                break
            } catch {
                if !failing {
                    logger.warning("cannot append alerts to the lake; the journal keeps them meanwhile", metadata: ["error": "\(error)"])
                }
                failing = true
                committed = nil
            }
            do { try await Task.sleep(for: interval) } catch { break }
        }
        // A last pass at shutdown, so a clean stop leaves nothing only in the journal (a local
        // lake; a remote one may refuse work once cancelled, and the journal keeps it then).
        try? await exportPending(&committed)
    }

    /// Appends everything the table lacks, `batchLimit` events per commit.
    /// The table is opened (created when missing) at the first export, so an unreachable remote
    /// lake delays the history instead of stopping the server.
    public func exportPending(_ committed: inout Int?) async throws {
        let table = try await lake.alerts()
        if committed == nil {
            let position = Int(try await table.committedPosition(appId: appId))
            try await alerts.historyExported(through: position)
            committed = position
        }
        while let from = committed {
            let pending = try await alerts.historyToExport(from: from, limit: batchLimit)
            guard !pending.isEmpty else { return }
            let end = Int(try await table.append(pending.map(Self.record), appId: appId))
            try await alerts.historyExported(through: end)
            committed = end
        }
    }

    static func record(_ numbered: AlertMonitor.NumberedEvent) -> AlertRecord {
        let e = numbered.event
        return AlertRecord(id: e.id, alertID: e.alertID, kind: e.kind.rawValue, ruleID: e.ruleID, ruleName: e.ruleName,
                           type: e.type, severity: e.severity.rawValue, asset: e.asset?.rawValue, source: e.source?.rawValue,
                           value: e.value, threshold: e.threshold, firedAtMillis: e.firedAtMillis, atMillis: e.atMillis,
                           position: Int64(numbered.position))
    }
}
