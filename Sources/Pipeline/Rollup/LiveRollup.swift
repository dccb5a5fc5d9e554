import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import Metrics

/// The stream processor's live 1-minute candles: every batch of ticks the processor commits
/// is rolled up (`MinuteRollup`) and committed to the lake's candles table right after the
/// tick commit, exactly once per bus partition.
///
/// **Exactly once.** A candles commit carries one Delta `txn` per bus partition,
/// `appId = "rollup/<group>/<topic>/<partition>"`, `version =` the last offset whose ticks the
/// committed candles include, i.e. the tick commit's own txn version. Candle rows are states
/// of a minute, not increments, so a minute written again only replaces itself (read rule);
/// what must hold is that no committed tick is left out and no minute is finalized twice
/// without a change.
///
/// **Recovery.** Ticks and candles are two tables, so a crash (or a failing candles commit)
/// can leave a partition's candle version behind its tick version. On assignment (and after
/// any doubt: a tick batch that went to the fallback table, a conflicting commit) a partition
/// is *synced* from the lake itself, which works alike for the in-process bus (which loses
/// its messages with the process) and Kafka: the ticks with offsets in (candle version, tick
/// version] are read back from the tick table by their bus coordinates, and the minutes they
/// touch are rebuilt from every tick of those minutes and written. The still-open minutes are
/// seeded the same way, from the tick table's rows since the last candles commit (minus one
/// minute, the grace and `seedSlackMillis`); the candles table says which of them are
/// already final. A partition with ticks but no rollup txn (a lake written before rollups)
/// starts with the ticks of `initialLookbackMillis` before its last tick commit.
///
/// **Failure.** A failing candles commit is logged and counted and never fails the tick path:
/// the minutes stay changed in memory and the next cycle (after a backoff) commits them.
public actor LiveRollup {
    public struct Configuration: Sendable {
        /// The processor's consumer group (the tick txn's app id names it).
        public var group: String = "cryptoviz-processor"
        public var rollup = MinuteRollup.Configuration()
        /// How far back a partition with ticks but no rollup txn yet is rolled up.
        public var initialLookbackMillis: Int64 = 3_600_000
        /// Extra margin before the last candles commit when seeding open minutes (commit
        /// duration, clock differences between processors).
        public var seedSlackMillis: Int64 = 5 * 60_000
        /// Each candles commit's time bound, and the pauses after a failed one.
        public var commits = CommitRetry()
        public init() {}
    }

    /// Figures for the Performance tab and tests.
    public struct Stats: Sendable, Codable, Equatable {
        public var commits = 0
        public var rows = 0
        public var finalRows = 0
        public var failedCommits = 0
        /// Partitions synced from the lake (assignments, recoveries).
        public var syncs = 0
        /// Ticks re-read from the tick table because the candles were behind.
        public var recoveredTicks = 0
        /// Minutes rebuilt from the tick table (late ticks below the horizon).
        public var loadedMinutes = 0
        public var lastVersion: Int64?
        public var heldMinutes = 0
    }

    private let candles: CandleTable
    private let ticks: TickTable
    private let configuration: Configuration
    private let logger: Logger
    private var rollup: MinuteRollup
    /// Per partition: the last offset whose ticks the rollup holds...
    private var fed: [BusPartition: Int64] = [:]
    /// ...and the one the candles table holds (its rollup txn version).
    private var committed: [BusPartition: Int64] = [:]
    /// Partitions whose state must be rebuilt from the lake before the next candles commit.
    private var unsynced: Set<BusPartition> = []
    /// Partitions whose last ticks went to the processor's fallback table: synced only once a
    /// tick commit reached the main table again (which drains the fallback).
    private var awaitingMain: Set<BusPartition> = []
    /// The tick versions the processor's writer reported at assignment (main table or fallback,
    /// whichever is further): a partition whose main table is behind that waits for the drain.
    private var writerVersions: [BusPartition: Int64] = [:]
    /// While such a partition waits, idle checks of it are spaced out until then.
    private var drainCheckAt: ContinuousClock.Instant?
    private var toLoad: [SeriesKey: (minutes: Set<Int64>, partition: BusPartition?)] = [:]
    private var lastIngest: Int64 = 0
    private var backoff: CommitBackoff
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var stats = Stats()
    private let rowCounter = Counter(label: "cryptoviz_rollup_rows_total")
    private let failureCounter = Counter(label: "cryptoviz_rollup_commit_failures_total")

    /// Rolls up into `candles` the ticks committed to `ticks` (the main tick table, which the
    /// recovery reads).
    public init(candles: CandleTable, ticks: TickTable, configuration: Configuration = .init(), logger: Logger) {
        self.candles = candles
        self.ticks = ticks
        self.configuration = configuration
        self.logger = logger
        rollup = MinuteRollup(configuration: configuration.rollup)
        backoff = CommitBackoff(configuration.commits)
    }

    /// The Delta `txn` application id of the rollup of `partition` read by consumer group `group`.
    public static func appID(group: String, partition: BusPartition) -> String {
        "rollup/" + StreamProcessor.appID(group: group, partition: partition)
    }

    public func currentStats() -> Stats {
        var s = stats
        s.heldMinutes = rollup.heldMinutes
        return s
    }

    /// The processor owns `partitions` now: their state is rebuilt from the lake first.
    /// `tickVersions` are the writer's txn versions for them; where one is above the main tick
    /// table's (rows a fallback table still holds), the partition is synced once a tick commit
    /// has reached the main table, which drains them.
    public func assigned(_ partitions: [BusPartition], tickVersions: [BusPartition: Int64] = [:]) {
        unsynced.formUnion(partitions)
        for p in partitions { writerVersions[p] = tickVersions[p] }
    }

    /// The processor no longer owns `partitions` (it flushed them): their state goes.
    public func revoked(_ partitions: [BusPartition]) {
        let set = Set(partitions)
        rollup.forget(set)
        for p in set {
            fed[p] = nil
            committed[p] = nil
            unsynced.remove(p)
            awaitingMain.remove(p)
            writerVersions[p] = nil
        }
    }

    /// The processor committed `records` with tick txn versions `offsets`; `inMainTable` is false
    /// when they went to the fallback table instead. Rolls them up and commits the candles.
    public func ticksCommitted(_ records: [LakeRecord], offsets: [BusPartition: Int64], inMainTable: Bool) async {
        await exclusive {
            if !inMainTable {
                awaitingMain.formUnion(offsets.keys)
                return
            }
            // A main commit drains every fallback row of owned partitions: they are in the tick
            // table now, and a sync reads them from there.
            unsynced.formUnion(awaitingMain)
            awaitingMain.removeAll()
            for p in offsets.keys where fed[p] == nil && committed[p] == nil { unsynced.insert(p) }
            for record in records {
                let p = BusPartition(topic: record.busTopic, partition: record.busPartition)
                guard !unsynced.contains(p) else { continue }
                add(record.tick, partition: p)
            }
            for (p, offset) in offsets where !unsynced.contains(p) { fed[p] = max(fed[p] ?? offset, offset) }
            await commitIfDue(force: true)
        }
    }

    /// Between batches: syncs newly assigned partitions, finalizes minutes the clock closed and
    /// retries a failed commit, when any of that is due.
    public func maintain() async {
        await exclusive { await commitIfDue(force: false) }
    }

    // MARK: - Internals

    private func exclusive(_ body: () async -> Void) async {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        await body()
        busy = false
        let w = waiters
        waiters.removeAll()
        for c in w { c.resume() }
    }

    private func add(_ tick: Tick, partition: BusPartition?) {
        if case .beyondHorizon(let key, let minute) = rollup.add(tick, partition: partition) {
            toLoad[key, default: ([], partition)].minutes.insert(minute)
        }
    }

    /// Whether an idle check should commit: a partition to sync (spaced out while one waits for
    /// a fallback drain), minutes to rebuild, a txn version not committed yet (a failed commit),
    /// or minutes changed or closed.
    private var hasWork: Bool {
        let syncable = !unsynced.subtracting(awaitingMain).isEmpty && (drainCheckAt.map { ContinuousClock.now >= $0 } ?? true)
        let frozen = unsynced.union(awaitingMain)
        return syncable || !toLoad.isEmpty || fed.contains { !frozen.contains($0.key) && committed[$0.key] != $0.value }
            || rollup.hasPending(nowMillis: currentUnixMillis(), frozen: frozen)
    }

    /// Commits what is due; `force` ignores "nothing changed" checks but not the backoff.
    private func commitIfDue(force: Bool) async {
        if backoff.waiting { return }
        guard force || hasWork else { return }
        do {
            try await withTimeout(configuration.commits.timeout) { try await self.commitNow() }
            backoff.succeeded()
        } catch {
            stats.failedCommits += 1
            failureCounter.increment()
            let pause = backoff.failed()
            logger.warning("candles commit failed; the rollup keeps its minutes and retries", metadata: [
                "error": "\(error)", "retry_in": "\(pause)", "failures": "\(stats.failedCommits)"])
            if let error = error as? LakehouseError, error.code == .concurrentModification {
                // Another writer of the same stream: what this member holds may be stale.
                unsynced.formUnion(fed.keys)
            }
        }
    }

    private func commitNow() async throws {
        let syncing = unsynced.subtracting(awaitingMain)
        if !syncing.isEmpty { try await sync(syncing) }
        try await loadMinutes()
        let now = currentUnixMillis()
        let ingest = max(now, lastIngest + 1)
        // Partitions being rebuilt, or waiting for their fallback rows, commit neither rows nor
        // versions: a version must never run ahead of the rows written for it.
        let frozen = unsynced.union(awaitingMain)
        let pending = rollup.pending(nowMillis: now, ingestMillis: ingest, frozen: frozen)
        var transactions: [String: Int64] = [:]
        for (p, offset) in fed where committed[p] != offset && !frozen.contains(p) {
            transactions[Self.appID(group: configuration.group, partition: p)] = offset
        }
        guard !pending.rows.isEmpty || !transactions.isEmpty else { return }
        let version = try await candles.append(pending.rows, transactions: transactions)
        lastIngest = ingest
        rollup.markWritten(pending)
        for (p, offset) in fed where transactions[Self.appID(group: configuration.group, partition: p)] == offset {
            committed[p] = offset
        }
        rollup.evict(nowMillis: now)
        let finals = pending.rows.filter(\.isFinal).count
        stats.commits += 1
        stats.rows += pending.rows.count
        stats.finalRows += finals
        stats.lastVersion = version
        rowCounter.increment(by: pending.rows.count)
        logger.debug("committed candles", metadata: [
            "version": "\(version)", "rows": "\(pending.rows.count)", "final": "\(finals)"])
    }

    /// Rebuilds minutes below a series' horizon from every tick of them in the tick table.
    private func loadMinutes() async throws {
        guard !toLoad.isEmpty else { return }
        let snapshot = try await ticks.snapshot()
        for (key, entry) in toLoad {
            for minute in entry.minutes.sorted() {
                let rows = try await snapshot.ticks(asset: key.asset, source: key.source, fromMillis: minute, toMillis: minute + 60_000)
                rollup.load(key, minute: minute, ticks: rows.map(\.tick), partition: entry.partition)
                stats.loadedMinutes += 1
            }
            toLoad[key] = nil
        }
    }

    /// Rebuilds the state of `partitions` from the lake (see the type's documentation).
    private func sync(_ partitions: Set<BusPartition>) async throws {
        let candleSnapshot = try await candles.snapshot()
        let tickSnapshot = try await ticks.snapshot()
        let now = currentUnixMillis()
        let grace = configuration.rollup.graceMillis
        struct Plan { var partition: BusPartition; var candleVersion: Int64?; var tickVersion: Int64; var seedFrom: Int64 }
        var plans: [Plan] = []
        var waiting = false
        defer { drainCheckAt = waiting ? .now + configuration.commits.retryDelay : nil }
        for p in partitions {
            let rollupApp = Self.appID(group: configuration.group, partition: p)
            let tickApp = StreamProcessor.appID(group: configuration.group, partition: p)
            let candleVersion = candleSnapshot.transactionVersion(appId: rollupApp)
            if let wanted = writerVersions[p], wanted > tickSnapshot.transactionVersion(appId: tickApp) ?? -1 {
                // Its newest ticks are still in the fallback table: synced once they are drained.
                waiting = true
                continue
            }
            writerVersions[p] = nil
            guard let tickVersion = tickSnapshot.transactionVersion(appId: tickApp) else {
                // The tick table holds nothing of this partition: nothing to seed.
                rollup.forget([p])
                rollup.setHorizon(.min, for: p)
                fed[p] = candleVersion
                committed[p] = candleVersion
                unsynced.remove(p)
                continue
            }
            let seedFrom: Int64
            if candleVersion != nil {
                let at = candleSnapshot.delta.transactions[rollupApp]?.lastUpdated ?? now
                seedFrom = MinuteBar.minute(of: at - 60_000 - grace - configuration.seedSlackMillis)
            } else {
                let at = tickSnapshot.delta.transactions[tickApp]?.lastUpdated ?? now
                seedFrom = MinuteBar.minute(of: at - configuration.initialLookbackMillis)
            }
            plans.append(Plan(partition: p, candleVersion: candleVersion, tickVersion: tickVersion, seedFrom: seedFrom))
        }
        guard let from = plans.map(\.seedFrom).min() else { return }
        let window = try await tickSnapshot.ticks(fromMillis: from)
        struct MinuteKey: Hashable { var series: SeriesKey; var minute: Int64 }
        var stored: [MinuteKey: CandleRecord] = [:]
        for row in try await candleSnapshot.candles(interval: .oneMinute, fromMillis: from) {
            stored[MinuteKey(series: SeriesKey(source: row.source, asset: row.asset), minute: row.openTimeMillis)] = row
            lastIngest = max(lastIngest, row.ingestTimeMillis)
        }
        for plan in plans {
            let p = plan.partition
            rollup.forget([p])
            rollup.setHorizon(plan.seedFrom, for: p)
            let mine = window.filter {
                $0.busPartition == p.partition && $0.busTopic == p.topic && $0.tick.sourceTimeMillis >= plan.seedFrom
                    && $0.busOffset <= plan.tickVersion
            }
            // Minutes holding ticks the candles table does not include yet.
            var behind: Set<MinuteKey> = []
            if let candleVersion = plan.candleVersion {
                if candleVersion < plan.tickVersion {
                    let missed = try await tickSnapshot.ticks(busTopic: p.topic, busPartition: p.partition,
                                                              offsets: (candleVersion + 1)...plan.tickVersion)
                    stats.recoveredTicks += missed.count
                    for record in missed {
                        let minute = MinuteBar.minute(of: record.tick.sourceTimeMillis)
                        behind.insert(MinuteKey(series: SeriesKey(record.tick), minute: minute))
                        if minute < plan.seedFrom { toLoad[SeriesKey(record.tick), default: ([], p)].minutes.insert(minute) }
                    }
                    if !missed.isEmpty {
                        logger.notice("candles behind ticks: rebuilding the missed rollup from the tick table", metadata: [
                            "partition": "\(p)", "candle_version": "\(candleVersion)", "tick_version": "\(plan.tickVersion)",
                            "ticks": "\(missed.count)", "minutes": "\(behind.count)"])
                    }
                }
            } else {
                for record in mine { behind.insert(MinuteKey(series: SeriesKey(record.tick), minute: MinuteBar.minute(of: record.tick.sourceTimeMillis))) }
            }
            var seeded: Set<MinuteKey> = []
            for record in mine {
                rollup.add(record.tick, partition: p)
                seeded.insert(MinuteKey(series: SeriesKey(record.tick), minute: MinuteBar.minute(of: record.tick.sourceTimeMillis)))
            }
            for key in seeded {
                // Where the table has this minute's state already, only whether it is final
                // matters (a rebuilt minute the missed ticks did not change included).
                guard let row = stored[key], !behind.contains(key) || rollup.matches(key.series, minute: key.minute, row) else { continue }
                rollup.markStored(key.series, minute: key.minute, isFinal: row.isFinal)
            }
            fed[p] = plan.tickVersion
            committed[p] = plan.candleVersion
            unsynced.remove(p)
            stats.syncs += 1
            logger.info("rollup state seeded from the lake", metadata: [
                "partition": "\(p)", "from": "\(plan.seedFrom)", "ticks": "\(mine.count)", "minutes": "\(seeded.count)",
                "candle_version": "\(plan.candleVersion.map(String.init) ?? "none")", "tick_version": "\(plan.tickVersion)"])
        }
    }
}
