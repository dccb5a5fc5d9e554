import CryptoVizCore
import Lakehouse
import Logging
import Metrics

/// Commits the streamed trades the processor reads from the lake topic (`TradeMessage`) to the
/// trades table, each trade once.
///
/// **Positions.** A trades commit carries one Delta `txn` per bus partition,
/// `appId = "trades/<group>/<topic>/<partition>"`, `version =` the last offset read from the
/// partition (trade or not) whose trades the table now holds. The processor resumes a
/// partition at the lower of this position and the tick table's, and skips each kind of record
/// at or below its own table's position, so neither a crash between the two commits nor a
/// failing trades commit loses a trade on a durable bus, and nothing is written twice.
///
/// **Dropping repeats.** By position: a commit re-reads the table's positions from the
/// snapshot it commits against and leaves out rows at or below them (a replay after a restart,
/// a commit that timed out after it landed), and Delta's txn conflict check refuses it if
/// another writer moved one of them meanwhile. By identity (venue, pair, trade id): a trade
/// seen again at another offset (a reconnect's overlap or a gap repair's refetch that reached
/// the bus twice, a second collector) is dropped against the last `identityCapacity`
/// identities, seeded at start from the table's recent rows.
///
/// **Failure.** A failing commit is logged and counted and never fails the tick path: the rows
/// stay pending and the next flush retries after a backoff; the tick commit goes on, and the
/// trades position (behind it now) is where a restarted processor reads again.
public actor StreamTradeWriter {
    public struct Configuration: Sendable {
        /// The processor's consumer group (the positions' app ids name it).
        public var group: String = "cryptoviz-processor"
        /// With no trade pending, positions are still committed (alone) this often while they
        /// are behind: a restarted processor then re-reads at most that much of a partition.
        public var idleCommitInterval: Duration = .seconds(60)
        /// Trade identities remembered for dropping repeats.
        public var identityCapacity = 1_000_000
        /// Each commit's time bound, and the pauses after a failed one.
        public var commits = CommitRetry()
        public init() {}
    }

    /// Figures for the Performance tab and tests.
    public struct Stats: Sendable, Codable, Equatable {
        public var commits = 0
        public var rows = 0
        /// Trades dropped because an identical trade (venue, pair, id) was already taken.
        public var duplicates = 0
        /// Trades left out of a commit because the table's position already covered them.
        public var alreadyCommitted = 0
        public var failedCommits = 0
        public var pending = 0
        /// At the stop: pending trades a durable bus keeps (read again at the next start)...
        public var leftOnBusAtStop = 0
        /// ...and trades lost with the in-process bus.
        public var lostAtStop = 0

        enum CodingKeys: String, CodingKey {
            case commits, rows, duplicates, pending
            case alreadyCommitted = "already_committed"
            case failedCommits = "failed_commits"
            case leftOnBusAtStop = "left_on_bus_at_stop"
            case lostAtStop = "lost_at_stop"
        }
    }

    private let table: TradeTable
    private let configuration: Configuration
    private let logger: Logger
    private var pending: [TradeRecord] = []
    /// Per partition, the last offset read that the next commit's position covers.
    private var positions: [BusPartition: Int64] = [:]
    private var seen: RecentIdentities<TradeIdentity>
    private var lastCommit = ContinuousClock.now
    private var backoff: CommitBackoff
    private var stats = Stats()
    private let rowCounter = Counter(label: "cryptoviz_stream_trades_rows_total")
    private let failureCounter = Counter(label: "cryptoviz_stream_trades_commit_failures_total")

    public init(table: TradeTable, configuration: Configuration = .init(), logger: Logger) {
        self.table = table
        self.configuration = configuration
        self.logger = logger
        seen = RecentIdentities(capacity: configuration.identityCapacity)
        backoff = CommitBackoff(configuration.commits)
    }

    /// The trades position's app id of `partition` read by consumer group `group`.
    public static func appID(group: String, partition: BusPartition) -> String {
        "trades/\(group)/\(partition.topic)/\(partition.partition)"
    }

    public func currentStats() -> Stats {
        var s = stats
        s.pending = pending.count
        return s
    }

    /// Remembers the identities of the trades the table holds with trade times since
    /// `fromMillis`, so a repeat is dropped after a restart too; returns how many. A table
    /// that cannot be read is logged and skipped (the positions still hold).
    @discardableResult
    public func seedIdentities(fromMillis: Int64) async -> Int {
        do {
            let rows = try await table.trades(fromMillis: fromMillis)
            for row in rows { _ = seen.insert(row.trade.identity) }
            return rows.count
        } catch {
            logger.warning("trade identities not seeded from the lake; positions still drop replays", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// The table's position for `partition` (nil when this group never committed trades of it,
    /// or the table cannot be read now: the processor then resumes at the tick position).
    public func position(of partition: BusPartition) async -> Int64? {
        do {
            return try await withTimeout(configuration.commits.timeout) { [table, group = configuration.group] in
                try await table.transactionVersion(appId: Self.appID(group: group, partition: partition))
            }
        } catch {
            logger.warning("trades position unreadable; resuming at the tick position", metadata: [
                "partition": "\(partition)", "error": "\(error)"])
            return nil
        }
    }

    /// Queues trades read from the bus (in offset order), dropping repeats by identity.
    public func add(_ records: [TradeRecord]) {
        for record in records {
            guard seen.insert(record.trade.identity) else {
                stats.duplicates += 1
                continue
            }
            pending.append(record)
        }
    }

    /// Retries a failed commit once its backoff is over; nothing otherwise (the processor calls
    /// it between batches, and rows go with the batches).
    public func retryFailed() async {
        guard backoff.failing, !backoff.waiting else { return }
        await flush(through: [:])
    }

    /// Forgets what is pending for partitions that went to another member: it reads them
    /// again from the trades position, which did not pass them.
    public func revoked(_ partitions: [BusPartition]) {
        let gone = Set(partitions)
        pending.removeAll { record in
            guard gone.contains(BusPartition(topic: record.busTopic, partition: record.busPartition)) else { return false }
            seen.remove(record.trade.identity)
            return true
        }
        for partition in partitions { positions[partition] = nil }
    }

    /// Adds `offsets` (last offset read per partition) to the positions and commits pending
    /// trades with them; with nothing pending, commits the positions alone once
    /// `idleCommitInterval` has passed. Returns false when a commit failed (or waits for its
    /// retry): the rows stay pending. `force` ignores the backoff and the idle interval (the
    /// stop). Never throws.
    @discardableResult
    public func flush(through offsets: [BusPartition: Int64], force: Bool = false) async -> Bool {
        for (partition, offset) in offsets { positions[partition] = max(positions[partition] ?? offset, offset) }
        guard !positions.isEmpty || !pending.isEmpty else { return true }
        let clock = ContinuousClock()
        if pending.isEmpty && !force && clock.now - lastCommit < configuration.idleCommitInterval { return true }
        if !force && backoff.waiting { return false }
        let rows = pending, wanted = positions, group = configuration.group
        do {
            let outcome = try await withTimeout(configuration.commits.timeout) { [table] in
                let snapshot = try await table.delta.latestSnapshot()
                func done(_ partition: BusPartition) -> Int64 {
                    snapshot.transactionVersion(Self.appID(group: group, partition: partition)) ?? .min
                }
                let fresh = rows.filter { $0.busOffset > done(BusPartition(topic: $0.busTopic, partition: $0.busPartition)) }
                var transactions: [String: Int64] = [:]
                for (partition, offset) in wanted where offset > done(partition) {
                    transactions[Self.appID(group: group, partition: partition)] = offset
                }
                if !fresh.isEmpty || !transactions.isEmpty {
                    try await table.append(fresh, transactions: transactions, readVersion: snapshot.version)
                }
                return fresh.count
            }
            // Only what this commit held: the actor may have taken more while it ran.
            pending.removeFirst(min(rows.count, pending.count))
            for (partition, offset) in wanted where positions[partition] == offset { positions[partition] = nil }
            lastCommit = clock.now
            backoff.succeeded()
            stats.commits += 1
            stats.rows += outcome
            stats.alreadyCommitted += rows.count - outcome
            rowCounter.increment(by: outcome)
            return true
        } catch {
            stats.failedCommits += 1
            failureCounter.increment()
            let pause = backoff.failed()
            logger.warning("trades commit failed; retried after a pause, the ticks go on", metadata: [
                "error": "\(error)", "pending": "\(pending.count)", "retry_in": "\(pause)"])
            return false
        }
    }

    /// The stop: what is still pending stays on a durable bus (the position did not pass it)
    /// or is lost with the in-process one; counted and logged, then forgotten.
    public func stopped(busKeepsRecords: Bool) {
        guard !pending.isEmpty else { return }
        if busKeepsRecords {
            stats.leftOnBusAtStop += pending.count
            logger.notice("trades not committed at the stop stay on the bus; the next owner of their partitions reads them again",
                          metadata: ["trades": "\(pending.count)"])
        } else {
            stats.lostAtStop += pending.count
            logger.error("trades lost at the stop: not committed, and the in-process bus keeps nothing",
                         metadata: ["trades": "\(pending.count)"])
        }
        pending.removeAll()
        positions.removeAll()
    }
}
