import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import Metrics
import ObjectStore

/// The processor's lake when the main table is remote: commits go to the main table, and while
/// it is unreachable they go to a local fallback table, drained into the main one when it
/// answers again — with no loss and no duplicate.
///
/// Exactly-once rests on one rule: a row with bus offset `o` of partition `p` is committed to
/// the main table only if `o` is above the main table's txn version for `p`, read from the same
/// snapshot the commit is based on (Delta's txn conflict check rejects the commit if another
/// writer of `p` commits meanwhile, and the rows are filtered again). The fallback only ever
/// holds rows above the main version at the time; rows another owner committed since are
/// dropped at drain time by the same rule.
///
/// Rows of a partition are drained only while this processor owns it: a consumer group gives a
/// partition one owner, so no other processor writes it to the main table during the drain.
public actor FailoverLake: LakeWriter {
    public struct Configuration: Sendable {
        /// A main-table commit that has not finished after this long counts as a failure (an
        /// S3 client can otherwise wait its full request timeout for a dead endpoint).
        public var commitTimeout: Duration = .seconds(10)
        /// Delay between drain attempts while the main table is unreachable; doubles up to
        /// `maxDrainInterval`.
        public var drainInterval: Duration = .seconds(1)
        public var maxDrainInterval: Duration = .seconds(10)
        public init() {}
    }

    /// Figures for the dashboard and tests.
    public struct Stats: Sendable, Codable, Equatable {
        /// Rows currently held by the fallback table and not yet in the main one.
        public var fallbackPendingRecords = 0
        /// Rows ever written to the fallback table.
        public var fallbackRecords = 0
        /// Rows moved from the fallback table into the main one.
        public var drainedRecords = 0
        /// Rows not committed because the main table already held their offsets.
        public var skippedCommitted = 0
        public var mainFailures = 0
        public var usingFallback = false
    }

    private let main: TickTable
    private let fallbackDirectory: URL
    private let configuration: Configuration
    private let appID: @Sendable (BusPartition) -> String
    private let logger: Logger
    private var fallback: TickTable?
    /// Rows of the fallback table not yet known to be in the main table, per partition.
    private var held: [BusPartition: [LakeRecord]] = [:]
    private var owned: Set<BusPartition> = []
    private var nextDrainAttempt: ContinuousClock.Instant = .now
    private var drainDelay: Duration
    private var stats = Stats()
    private let fallbackCounter = Counter(label: "cryptoviz_processor_fallback_records_total")

    /// Wraps `main`; the fallback table lives in `fallbackDirectory` (created on first use).
    /// Rows a previous run left there are loaded now and drained once their partitions are owned.
    public init(main: TickTable, fallbackDirectory: URL, configuration: Configuration = .init(),
                appID: @escaping @Sendable (BusPartition) -> String, logger: Logger) async throws {
        self.main = main
        self.fallbackDirectory = fallbackDirectory
        self.configuration = configuration
        self.appID = appID
        self.logger = logger
        drainDelay = configuration.drainInterval
        if FileManager.default.fileExists(atPath: fallbackDirectory.appendingPathComponent("_delta_log").path) {
            let table = try await TickTable.openExisting(store: try LocalFileStore(root: fallbackDirectory.path), logger: logger)
            fallback = table
            for record in try await table.ticks() {
                held[Self.partition(of: record), default: []].append(record)
            }
            stats.fallbackPendingRecords = held.values.reduce(0) { $0 + $1.count }
            stats.usingFallback = stats.fallbackPendingRecords > 0
            if stats.usingFallback {
                logger.notice("fallback table holds rows from an earlier run; they go to the lake once their partitions are assigned",
                              metadata: ["rows": "\(stats.fallbackPendingRecords)", "directory": "\(fallbackDirectory.path)"])
            }
        }
    }

    public func fallbackStats() -> Stats? { stats }

    /// The partitions this processor owns now (drains are limited to them).
    public func setOwned(_ partitions: Set<BusPartition>) { owned = partitions }

    /// The main table's version for `appId`, or the fallback's when it is further; waits for
    /// the main table while it is unreachable unless the fallback already answers.
    public func transactionVersion(appId: String) async throws -> Int64? {
        let local = try await fallback?.transactionVersion(appId: appId)
        var delay = configuration.drainInterval
        while true {
            do {
                let remote = try await withTimeout(configuration.commitTimeout) { [main] in
                    try await main.transactionVersion(appId: appId)
                }
                return [remote, local].compactMap { $0 }.max()
            } catch let error where !(error is CancellationError) {
                if let local {
                    logger.warning("lake unreachable; resuming from the fallback table's version",
                                   metadata: ["app_id": "\(appId)", "version": "\(local)", "error": "\(error)"])
                    return local
                }
                logger.warning("lake unreachable; waiting to read the stream's committed version",
                               metadata: ["app_id": "\(appId)", "error": "\(error)", "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxDrainInterval)
            }
        }
    }

    /// Commits `records` (and what the fallback holds for owned partitions) to the main table;
    /// if that fails, keeps `records` in the fallback table. Returns the main table's version.
    public func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        if stats.usingFallback && ContinuousClock.now < nextDrainAttempt {
            try await keep(records, transactions: transactions)
            return -1
        }
        do {
            let version = try await commitToMain(records, transactions: transactions)
            if stats.usingFallback { leaveFallback() }
            return version
        } catch let error where !(error is CancellationError) {
            stats.mainFailures += 1
            noteMainFailure(error)
            try await keep(records, transactions: transactions)
            return -1
        }
    }

    /// Drains the fallback table when it holds rows of owned partitions and a retry is due.
    public func maintain() async {
        guard stats.usingFallback, ContinuousClock.now >= nextDrainAttempt,
              held.keys.contains(where: owned.contains) else { return }
        do {
            _ = try await commitToMain([], transactions: [:])
            leaveFallback()
        } catch let error where !(error is CancellationError) {
            stats.mainFailures += 1
            noteMainFailure(error)
        } catch {}
    }

    // MARK: - Main table

    /// One main commit of `records` plus held rows of owned partitions, each row kept only if
    /// its offset is above the snapshot's txn version for its partition. Retried when another
    /// writer of the same stream commits first.
    private func commitToMain(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        let draining = held.filter { owned.contains($0.key) }
        var wanted = transactions
        for (partition, rows) in draining {
            if let last = rows.map(\.busOffset).max() { wanted[appID(partition)] = max(wanted[appID(partition)] ?? .min, last) }
        }
        let candidates = draining.values.flatMap { $0 } + records
        let others = held.filter { !owned.contains($0.key) }.compactMapValues { $0.map(\.busOffset).max() }
        let timeout = configuration.commitTimeout
        for attempt in 1...5 {
            do {
                let outcome = try await withTimeout(timeout) { [main, appID, wanted] in
                    let snapshot = try await main.snapshot()
                    let rows = candidates.filter { record in
                        guard let done = snapshot.transactionVersion(appId: appID(Self.partition(of: record))) else { return true }
                        return record.busOffset > done
                    }
                    // Held rows of partitions owned elsewhere are settled once the lake covers them.
                    let covered = others.filter { partition, last in
                        (snapshot.transactionVersion(appId: appID(partition)) ?? .min) >= last
                    }.map(\.key)
                    let txns = wanted.filter { appId, version in (snapshot.transactionVersion(appId: appId) ?? .min) < version }
                    if rows.isEmpty && txns.isEmpty {
                        return MainCommit(version: snapshot.version, skipped: candidates.count, covered: covered)
                    }
                    let files = try await main.writeFiles(rows)
                    let version = try await main.commit(files: files, transactions: txns, readVersion: snapshot.version)
                    return MainCommit(version: version, skipped: candidates.count - rows.count, covered: covered)
                }
                stats.skippedCommitted += outcome.skipped
                for partition in outcome.covered { held[partition] = nil }
                if !draining.isEmpty {
                    let drained = draining.values.reduce(0) { $0 + $1.count }
                    for partition in draining.keys { held[partition] = nil }
                    stats.drainedRecords += drained
                    logger.notice("drained the fallback table into the lake", metadata: [
                        "rows": "\(drained)", "already_in_lake": "\(outcome.skipped)", "version": "\(outcome.version)"])
                }
                stats.fallbackPendingRecords = held.values.reduce(0) { $0 + $1.count }
                return outcome.version
            } catch let error as LakehouseError where error.code == .concurrentModification && attempt < 5 {
                logger.info("another writer committed the same stream; filtering again", metadata: ["attempt": "\(attempt)"])
            }
        }
        throw PipelineError("lake commit kept conflicting with another writer of the same stream")
    }

    private struct MainCommit: Sendable {
        var version: Int64
        var skipped: Int
        var covered: [BusPartition]
    }

    private func noteMainFailure(_ error: any Error) {
        if !stats.usingFallback {
            logger.warning("lake unreachable; committing to the local fallback table until it answers",
                           metadata: ["error": "\(error)", "fallback": "\(fallbackDirectory.path)"])
            drainDelay = configuration.drainInterval
        } else {
            logger.info("lake still unreachable", metadata: ["error": "\(error)", "retry_in": "\(drainDelay)"])
        }
        stats.usingFallback = true
        nextDrainAttempt = .now + drainDelay
        drainDelay = min(drainDelay * 2, configuration.maxDrainInterval)
    }

    /// Back to the main table once nothing is held; the fallback's files go with it.
    private func leaveFallback() {
        guard held.isEmpty else { return }
        stats.usingFallback = false
        stats.fallbackPendingRecords = 0
        fallback = nil
        do {
            try FileManager.default.removeItem(at: fallbackDirectory)
            logger.notice("lake reachable again; fallback table emptied")
        } catch {
            logger.warning("could not remove the drained fallback table", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Fallback table

    private func keep(_ records: [LakeRecord], transactions: [String: Int64]) async throws {
        let table = try await openFallback()
        try await table.append(records, transactions: transactions)
        for record in records { held[Self.partition(of: record), default: []].append(record) }
        stats.fallbackRecords += records.count
        stats.fallbackPendingRecords = held.values.reduce(0) { $0 + $1.count }
        fallbackCounter.increment(by: records.count)
    }

    private func openFallback() async throws -> TickTable {
        if let fallback { return fallback }
        try FileManager.default.createDirectory(at: fallbackDirectory, withIntermediateDirectories: true)
        let layout = main.layout ?? .default
        let table = try await TickTable.open(store: try LocalFileStore(root: fallbackDirectory.path), layout: layout, logger: logger)
        fallback = table
        return table
    }

    private static func partition(of record: LakeRecord) -> BusPartition {
        BusPartition(topic: record.busTopic, partition: record.busPartition)
    }
}
