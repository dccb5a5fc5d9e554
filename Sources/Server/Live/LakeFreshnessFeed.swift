import Alerts
import CryptoVizCore
import Lakehouse
import Logging

/// Feeds `lake_freshness` alert rules: every `interval` (a second, so an alert comes within about
/// a second of the lag passing its threshold), how far each source's newest row in the tick
/// table is behind the clock (from file statistics, `TickSnapshot.newestSourceTimes`).
///
/// Only sources with rows in the last `window` are observed; a source silent for longer is a
/// `stale_source` matter. Does nothing while no enabled `lake_freshness` rule exists.
public struct LakeFreshnessFeed: Sendable {
    let table: TickTable
    let alerts: AlertMonitor
    let interval: Duration
    let window: Int64
    let logger: Logger

    public init(table: TickTable, alerts: AlertMonitor, interval: Duration = .seconds(1),
                windowMillis: Int64 = 86_400_000, logger: Logger) {
        self.table = table
        self.alerts = alerts
        self.interval = interval
        self.window = windowMillis
        self.logger = logger
    }

    /// Observes until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            guard await alerts.watchesLakeFreshness else { continue }
            do {
                let now = currentUnixMillis()
                let newest = try await table.snapshot().newestSourceTimes(sinceMillis: now - window)
                for (source, time) in newest.sorted(by: { $0.key < $1.key }) {
                    await alerts.observeLakeFreshness(source: source, lagSeconds: Double(max(0, now - time)) / 1000)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("cannot read the lake for freshness alerts", metadata: ["error": "\(error)"])
            }
        }
    }
}
