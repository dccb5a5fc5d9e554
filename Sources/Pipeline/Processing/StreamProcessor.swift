import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import Metrics

/// Consumes `crypto-raw-data` as a member of a consumer group and commits what it reads to
/// the lake exactly once.
///
/// Each record is decoded, validated again, deduplicated by event identity and enriched with
/// its bus coordinates and processing time. A batch is committed when it is large or old
/// enough, together with one Delta `txn` per partition (version = last offset in the batch).
/// On assignment the processor starts each partition after its txn version, so a crash at any
/// point neither loses nor duplicates rows; on revocation it flushes first.
///
/// With a `LiveRollup`, every tick commit is followed by a commit of the 1-minute candles of
/// those ticks to the candles table (its own txn per partition); see `LiveRollup`. With a
/// `StreamTradeWriter`, the topic's `trade` messages go to the trades table, committed just
/// before the ticks with their own position per partition; a partition resumes at the lower
/// of the two positions, and each kind of record is skipped at or below its own.
public actor StreamProcessor {
    public struct Configuration: Sendable {
        public var group: String = "cryptoviz-processor"
        public var topic: String = BusTopics.rawData
        /// Commit once this many records are pending...
        public var maxBatchRecords: Int = 20_000
        /// ...or once the oldest pending record waited this long.
        public var trigger: Duration = .seconds(5)
        /// Records per poll.
        public var pollRecords: Int = 5_000
        /// Delay before retrying a failed lake commit; doubles up to `maxRetryDelay`.
        public var retryDelay: Duration = .milliseconds(200)
        public var maxRetryDelay: Duration = .seconds(10)
        public var validator = TickValidator()
        /// How long the last commit may go on once the stop arrived (shared with the other stages).
        public var drain = DrainBudget()
        /// Where records read but not committed go at a stop when the bus would lose them (the
        /// in-process bus); the publisher replays this file before new data at the next start.
        /// Nil for a durable bus (Kafka), which keeps them past the lake's txn versions.
        public var stopSpillFile: URL?
        public init() {}
    }

    /// Counters for the dashboard's Performance tab.
    public struct Stats: Sendable, Codable {
        public var consumed = 0
        public var committedRecords = 0
        public var duplicates = 0
        /// Records skipped because the lake already held their offset (a replay after a crash).
        public var alreadyCommitted = 0
        public var rejected: [String: Int] = [:]
        public var deadLettered = 0
        public var commits = 0
        public var failedCommits = 0
        public var lastVersion: Int64?
        public var lastCommitMillis: Int64?
        /// Source time → committed in the lake, milliseconds.
        public var freshnessP50Millis: Int64?
        public var freshnessP95Millis: Int64?
        /// The same per source ("binance" → [p50, p95, samples]): a streamed venue's ticks and a
        /// polled one's differ by orders of magnitude, which the overall figures hide.
        public var freshnessBySource: [String: [Int64]] = [:]
        /// Next offset committed per partition ("topic[p]" → offset).
        public var committedOffsets: [String: Int64] = [:]
        /// The local fallback table's figures, when the lake has one.
        public var fallback: FailoverLake.Stats?
        /// The live rollup's figures, when the processor has one.
        public var rollup: LiveRollup.Stats?
        /// The venues' closed stream candles written to the candles table, when the processor writes them.
        public var streamCandles: StreamCandleWriter.Stats?
        /// The streamed trades written to the trades table, when the processor writes them.
        public var streamTrades: StreamTradeWriter.Stats?
        /// At the stop: records not committed that went to the spill file (replayed at the next start)...
        public var spilledAtStop = 0
        /// ...that stay on a durable bus, read again by the next owner of their partitions...
        public var leftOnBusAtStop = 0
        /// ...and that could be kept nowhere: lost.
        public var lostAtStop = 0
    }

    private let bus: any Bus
    private let lake: any LakeWriter
    private let rollup: LiveRollup?
    private let streamCandles: StreamCandleWriter?
    private let trades: StreamTradeWriter?
    private let configuration: Configuration
    private let deadLetters: DeadLetterQueue
    private let logger: Logger
    private let codec = TickMessageCodec()

    private var consumer: (any BusConsumer)?
    private var pending: [LakeRecord] = []
    /// Records taken from `pending` by the commit in progress (kept at the stop if it is
    /// abandoned, as `pending` is).
    private var committing: [LakeRecord] = []
    private var pendingOffsets: [BusPartition: Int64] = [:]
    private var pendingSince: ContinuousClock.Instant?
    private var dedupe = EventDeduplicator()
    /// Per partition, the last offset the lake already holds (its txn version): records at or
    /// below it are replays, whatever offset the bus resumed from.
    private var committedInLake: [BusPartition: Int64] = [:]
    /// The same for trade records: the trades table's position (the tick table's where it has
    /// none). Below the tick position only after a failed trades commit.
    private var tradesInLake: [BusPartition: Int64] = [:]
    /// Last offset read per partition above the trades position, for the next trades commit.
    private var tradeOffsets: [BusPartition: Int64] = [:]
    private var owned: Set<BusPartition> = []
    /// Partitions revoked and not assigned again: their records are skipped from the moment the
    /// revocation starts (the next owner, maybe this member, reads them again from the lake's
    /// position), so none reaches `pending` or the dedupe after the revocation's last flush.
    private var revoked: Set<BusPartition> = []
    /// Bumped by every revocation; per partition, the count its last revocation set. A batch
    /// polled before a revocation of its partition is dropped even if the partition came back
    /// meanwhile: the bus delivers it again from the resume position.
    private var revocations = 0
    private var lastRevocation: [BusPartition: Int] = [:]
    private var stats = Stats()
    private var freshness = LatencyWindow()
    private var freshnessBySource: [ProviderID: LatencyWindow] = [:]
    /// One flush at a time: the poll loop and a revocation callback can both flush, and two
    /// concurrent flushes of the same pending rows could each put them in the fallback table.
    private var flushing = false
    /// The run loop's commit in progress (`overlappedStep`).
    private var commitInFlight: Task<Void, Never>?
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []

    private let consumedCounter: Counter
    private let committedCounter: Counter
    private let duplicateCounter: Counter
    private let commitTimer: Metrics.Timer

    /// A processor committing to `lake`, and (with `rollup`) its 1-minute candles to the candles table.
    /// With `streamCandles`, the `candle` messages of the lake topic (closed venue klines) go
    /// to the candles table through it, and with `trades` its `trade` messages to the trades
    /// table; without, they are dead-lettered as an unknown type.
    public init(bus: any Bus, lake: any LakeWriter, rollup: LiveRollup? = nil, streamCandles: StreamCandleWriter? = nil,
                trades: StreamTradeWriter? = nil, configuration: Configuration = .init(), deadLetters: DeadLetterQueue,
                logger: Logger) {
        self.bus = bus
        self.lake = lake
        self.rollup = rollup
        self.streamCandles = streamCandles
        self.trades = trades
        self.configuration = configuration
        self.deadLetters = deadLetters
        self.logger = logger
        consumedCounter = Counter(label: "cryptoviz_processor_records_total", dimensions: [("outcome", "consumed")])
        committedCounter = Counter(label: "cryptoviz_processor_records_total", dimensions: [("outcome", "committed")])
        duplicateCounter = Counter(label: "cryptoviz_processor_records_total", dimensions: [("outcome", "duplicate")])
        commitTimer = Metrics.Timer(label: "cryptoviz_processor_commit_duration_seconds")
    }

    /// The Delta `txn` application id for one input partition.
    public nonisolated func appID(for partition: BusPartition) -> String {
        Self.appID(group: configuration.group, partition: partition)
    }

    /// The Delta `txn` application id of `partition` read by consumer group `group`.
    public static func appID(group: String, partition: BusPartition) -> String {
        "\(group)/\(partition.topic)/\(partition.partition)"
    }

    /// Remembers event identities already in the lake (recent ones), so that re-published
    /// events are dropped after a restart too.
    public func seedDeduplication(with ids: some Sequence<EventID>) {
        for id in ids { _ = dedupe.insert(id) }
    }

    /// Consumes until the task is cancelled, then drains what the bus holds, commits, and
    /// leaves the group.
    public func run() async throws {
        let listener = RebalanceListener(
            assigned: { [weak self] partitions in
                guard let self else { return [:] }
                return try await self.startOffsets(for: partitions)
            },
            revoked: { [weak self] partitions in
                try await self?.revoke(partitions)
            })
        let consumer = try await bus.consumer(group: configuration.group, topics: [configuration.topic], listener: listener)
        self.consumer = consumer
        logger.info("stream processor started", metadata: ["group": "\(configuration.group)", "topic": "\(configuration.topic)"])
        do {
            while !Task.isCancelled {
                try await overlappedStep(consumer: consumer, maxWait: .milliseconds(200))
            }
        } catch is CancellationError {
        }
        // A commit still running ends first (cancelled, it stops retrying once its attempt,
        // shielded by the drain budget, is over); what it did not commit is still pending.
        if let inFlight = commitInFlight {
            inFlight.cancel()
            await inFlight.value
        }
        // The stop: read what is left (collectors stopped first) and commit it, shielded from
        // the stop's cancellation; what the drain budget does not cover is kept, not dropped.
        if case .failure(let error) = await configuration.drain.shielded({ try await self.drainAndCommit(consumer) }) {
            await keepUncommitted(consumer, after: error)
        }
        _ = await configuration.drain.shielded { await consumer.close() }
        await trades?.stopped(busKeepsRecords: configuration.stopSpillFile == nil)
        self.consumer = nil
        logger.info("stream processor stopped", metadata: [
            "committed_records": "\(stats.committedRecords)", "duplicates": "\(stats.duplicates)",
            "rejected": "\(stats.rejected.values.reduce(0, +))", "spilled_at_stop": "\(stats.spilledAtStop)",
            "left_on_bus_at_stop": "\(stats.leftOnBusAtStop)", "lost_at_stop": "\(stats.lostAtStop)"])
    }

    /// One poll, and a commit if the batch is due. Public for deterministic tests and benchmarks.
    public func step(consumer: any BusConsumer, maxWait: Duration) async throws {
        let records = try await consumer.poll(maxRecords: configuration.pollRecords, maxWait: maxWait)
        await handle(records)
        if isDue {
            try await flushRetrying()
        } else {
            await lake.maintain()
            await rollup?.maintain()
            // A failed trades commit is retried (after its backoff) even while nothing arrives.
            await trades?.retryFailed()
        }
    }

    /// The run loop's `step`: a due commit runs beside the next polls instead of before them,
    /// so that reading, decoding and deduplicating go on while a batch is encoded and written
    /// (one commit at a time, as `flush` takes turns; records read meanwhile stay pending).
    /// Once twice a batch is pending, the loop waits for the commit.
    private func overlappedStep(consumer: any BusConsumer, maxWait: Duration) async throws {
        let records = try await consumer.poll(maxRecords: configuration.pollRecords, maxWait: maxWait)
        await handle(records)
        if let inFlight = commitInFlight {
            if pending.count + committing.count >= 2 * configuration.maxBatchRecords { await inFlight.value }
            return
        }
        if isDue {
            commitInFlight = Task {
                // Retries until it succeeds or the stop cancels it (see `run`).
                try? await self.flushRetrying()
                self.commitInFlight = nil
            }
        } else {
            await lake.maintain()
            await rollup?.maintain()
            // A failed trades commit is retried (after its backoff) even while nothing arrives.
            await trades?.retryFailed()
        }
    }

    public func currentStats() async -> Stats {
        var s = stats
        s.fallback = await lake.fallbackStats()
        s.rollup = await rollup?.currentStats()
        s.streamCandles = await streamCandles?.currentStats()
        s.streamTrades = await trades?.currentStats()
        s.freshnessP50Millis = freshness.quantile(0.5)
        s.freshnessP95Millis = freshness.quantile(0.95)
        for (source, window) in freshnessBySource {
            if let p50 = window.quantile(0.5), let p95 = window.quantile(0.95) {
                s.freshnessBySource[source.rawValue] = [p50, p95, Int64(window.count)]
            }
        }
        return s
    }

    private var isDue: Bool {
        guard let since = pendingSince else { return false }
        return pending.count >= configuration.maxBatchRecords || ContinuousClock.now - since >= configuration.trigger
    }

    /// Flushes before the partitions go to another member, then forgets them.
    func revoke(_ partitions: [BusPartition]) async throws {
        revocations += 1
        for partition in partitions { lastRevocation[partition] = revocations }
        revoked.formUnion(partitions)
        try await flush(reason: "revocation of \(partitions.map(\.description).joined(separator: ","))",
                        thenForget: Set(partitions))
        await rollup?.revoked(partitions)
        await trades?.revoked(partitions)
        owned.subtract(partitions)
        await lake.setOwned(owned)
    }

    private func startOffsets(for partitions: [BusPartition]) async throws -> [BusPartition: Int64] {
        owned.formUnion(partitions)
        revoked.subtract(partitions)
        await lake.setOwned(owned)
        var result: [BusPartition: Int64] = [:]
        var versions: [BusPartition: Int64] = [:]
        for partition in partitions {
            let version = try await lake.transactionVersion(appId: appID(for: partition))
            committedInLake[partition] = version
            tradesInLake[partition] = version
            tradeOffsets[partition] = nil
            if let version { versions[partition] = version }
            if let trades, let tradeVersion = await trades.position(of: partition) {
                tradesInLake[partition] = tradeVersion
            }
            // The lower position: what one table holds and the other may lack is read again,
            // and each table's records skipped at or below its own (`handle`).
            if let version { result[partition] = min(version, tradesInLake[partition] ?? version) + 1 }
        }
        await rollup?.assigned(partitions, tickVersions: versions)
        logger.info("partitions assigned", metadata: [
            "partitions": "\(partitions.map(\.description).joined(separator: ","))",
            "resume": "\(result.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ","))",
        ])
        return result
    }

    private func handle(_ records: [BusRecord]) async {
        guard !records.isEmpty else { return }
        let revocationsBefore = revocations
        let decoded = await Self.decode(records, codec: codec, trades: trades != nil)
        let now = currentUnixMillis()
        stats.consumed += records.count
        consumedCounter.increment(by: records.count)
        var tradeRecords: [TradeRecord] = []
        // A poll holds runs of one partition: its positions are looked up once per run, and
        // the last offsets read are stored at its end (hashing the partition per record showed
        // in `perf`).
        var run: BusPartition?
        var skipRun = false
        var tickPosition: Int64?
        var tradePosition: Int64?
        var lastTickOffset: Int64?
        var lastTradeOffset: Int64?
        func endRun() {
            guard let run else { return }
            // Offsets advance for every record, usable or not, so each table's txn covers it.
            if let lastTickOffset { pendingOffsets[run] = lastTickOffset }
            if let lastTradeOffset { tradeOffsets[run] = lastTradeOffset }
        }
        // By index: a `BusRecord` copied out per iteration cost three retains and releases.
        for index in records.indices {
            let result = decoded[index]
            if records[index].partition != run {
                endRun()
                let partition = records[index].partition
                run = partition
                (lastTickOffset, lastTradeOffset) = (nil, nil)
                skipRun = revoked.contains(partition) || lastRevocation[partition, default: 0] > revocationsBefore
                tickPosition = committedInLake[partition]
                tradePosition = trades == nil ? nil : tradesInLake[partition]
            }
            if skipRun { continue }
            let tickDone = tickPosition.map { records[index].offset <= $0 } ?? false
            let tradeDone = trades == nil ? tickDone : tradePosition.map { records[index].offset <= $0 } ?? false
            if tickDone && tradeDone {
                stats.alreadyCommitted += 1
                continue
            }
            if !tickDone { lastTickOffset = records[index].offset }
            if trades != nil && !tradeDone { lastTradeOffset = records[index].offset }
            if pendingSince == nil { pendingSince = .now }
            let message: TickMessage
            do {
                switch try result.get() {
                case .tick(let tick) where !tickDone:
                    message = tick
                case .trade(let trade) where !tradeDone:
                    tradeRecords.append(TradeRecord(
                        trade: trade.trade, ingestedTimeMillis: trade.producedAtMillis, processedTimeMillis: now,
                        busTopic: records[index].partition.topic, busPartition: records[index].partition.partition, busOffset: records[index].offset))
                    continue
                case .tick, .trade:
                    // Read again only for the other table (its position is behind this one's).
                    stats.alreadyCommitted += 1
                    continue
                }
            } catch where tickDone {
                continue
            } catch where error.kind == .unknownType && error.messageType == "candle" && streamCandles != nil {
                do {
                    await streamCandles?.add(try CandleMessage.decode(records[index].value), ingestTimeMillis: now)
                } catch {
                    stats.deadLettered += 1
                    deadLetters.add(records[index], reason: error.kind.rawValue, detail: error.detail)
                }
                continue
            } catch {
                stats.deadLettered += 1
                deadLetters.add(records[index], reason: error.kind.rawValue, detail: error.detail)
                continue
            }
            if let rejection = configuration.validator.rejection(for: message.tick, nowMillis: now) {
                stats.rejected[rejection.kind, default: 0] += 1
                deadLetters.add(records[index], reason: "invalid_tick", detail: rejection.description)
                continue
            }
            guard dedupe.insert(message.tick.eventID) else {
                stats.duplicates += 1
                duplicateCounter.increment()
                continue
            }
            pending.append(LakeRecord(
                tick: message.tick, ingestedTimeMillis: message.producedAtMillis, processedTimeMillis: now,
                busTopic: records[index].partition.topic, busPartition: records[index].partition.partition, busOffset: records[index].offset))
        }
        endRun()
        if !tradeRecords.isEmpty { await trades?.add(tradeRecords) }
    }

    /// Drops the pending records and positions of partitions gone to another member; called
    /// inside a flush, so no commit holds a snapshot of `pending` meanwhile.
    private func forgetPending(of gone: Set<BusPartition>) {
        pending.removeAll { record in
            guard gone.contains(BusPartition(topic: record.busTopic, partition: record.busPartition)) else { return false }
            dedupe.remove(record.tick.eventID)
            return true
        }
        for partition in gone {
            pendingOffsets[partition] = nil
            tradeOffsets[partition] = nil
        }
        if pendingOffsets.isEmpty && tradeOffsets.isEmpty { pendingSince = nil }
    }

    /// A lake-topic message the processor reads itself (candles, rare, are read on the actor).
    enum Incoming: Sendable {
        case tick(TickMessage)
        case trade(TradeMessage)
    }

    /// Decodes the records' messages, in parallel chunks off the actor when there are many:
    /// decoding is most of a record's cost, and the processor's actor is one thread.
    /// With `trades`, a record the tick codec finds to be a trade is read as one.
    private static func decode(_ records: [BusRecord], codec: TickMessageCodec, trades: Bool) async -> [Result<Incoming, MessageDecodingError>] {
        func decode(_ slice: ArraySlice<BusRecord>) -> [Result<Incoming, MessageDecodingError>] {
            slice.map { record in
                Result { () throws(MessageDecodingError) in
                    do throws(MessageDecodingError) {
                        return .tick(try codec.decode(record.value))
                    } catch where trades && error.kind == .unknownType && error.messageType == "trade" {
                        return .trade(try TradeMessage.decode(record.value))
                    }
                }
            }
        }
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount, records.count / 2048)
        guard chunks > 1 else { return decode(records[...]) }
        let size = (records.count + chunks - 1) / chunks
        return await withTaskGroup(of: (Int, [Result<Incoming, MessageDecodingError>]).self) { group in
            for start in stride(from: 0, to: records.count, by: size) {
                let slice = records[start..<min(records.count, start + size)]
                group.addTask { (start, decode(slice)) }
            }
            var parts: [(Int, [Result<Incoming, MessageDecodingError>])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// Commits pending records, retrying with backoff while the lake is unreachable. A commit
    /// in flight when the stop arrives finishes (within the drain budget) instead of being cut
    /// off half-way; then the stop's drain takes over.
    private func flushRetrying() async throws {
        var delay = configuration.retryDelay
        while true {
            let result = await configuration.drain.shielded { try await self.flush(reason: "batch") }
            guard case .failure(let error) = result else { return }
            if Task.isCancelled { throw CancellationError() }
            stats.failedCommits += 1
            logger.warning("lake commit failed; will retry", metadata: [
                "error": "\(error)", "pending": "\(pending.count)", "retry_in": "\(delay)"])
            try await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.maxRetryDelay)
        }
    }

    /// The stop's drain: everything the bus still holds, committed; retried until it succeeds
    /// or the drain budget cancels it.
    private func drainAndCommit(_ consumer: any BusConsumer) async throws {
        while true {
            let records = try await consumer.poll(maxRecords: configuration.pollRecords, maxWait: .zero)
            if records.isEmpty { break }
            await handle(records)
            if pending.count >= configuration.maxBatchRecords { try await flushUntilCancelled() }
        }
        try await flushUntilCancelled()
        // A trades commit that failed keeps its rows pending; the stop gives it its retries too.
        var delay = configuration.retryDelay
        while let trades, await !trades.flush(through: [:], force: true) {
            try await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.maxRetryDelay)
        }
        // Minutes the clock closed since the last batch, or a candles commit that failed.
        await rollup?.maintain()
    }

    private func flushUntilCancelled() async throws {
        var delay = configuration.retryDelay
        while true {
            do {
                try await flush(reason: "shutdown")
                return
            } catch {
                if Task.isCancelled || error is CancellationError { throw error }
                stats.failedCommits += 1
                logger.warning("lake commit failed at shutdown; retrying", metadata: [
                    "error": "\(error)", "pending": "\(pending.count)", "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
    }

    /// The drain could not commit everything: records read but not committed (and, on the
    /// in-process bus, what it still holds) go to the stop spill file; a durable bus keeps them.
    private func keepUncommitted(_ consumer: any BusConsumer, after error: any Error) async {
        // A commit abandoned by the drain budget still holds its batch: it is kept too (should
        // that commit succeed after all, the next start drops the repeats by event identity).
        let abandoned = committing
        defer {
            pending.removeAll()
            pendingOffsets.removeAll()
            pendingSince = nil
        }
        guard let url = configuration.stopSpillFile else {
            stats.leftOnBusAtStop = abandoned.count + pending.count
            logger.notice("records not committed at the stop stay on the bus; the next owner of their partitions reads them again",
                          metadata: ["records": "\(abandoned.count + pending.count)", "error": "\(error)"])
            return
        }
        // Without waiting: the in-process bus answers at once, cancelled or not.
        while let records = try? await consumer.poll(maxRecords: configuration.pollRecords, maxWait: .zero), !records.isEmpty {
            await handle(records)
        }
        guard !abandoned.isEmpty || !pending.isEmpty else { return }
        let messages = (abandoned + pending).map { TickMessage(tick: $0.tick, producedAtMillis: $0.ingestedTimeMillis) }
        do {
            try SpillFile(url: url).append(messages)
            stats.spilledAtStop += messages.count
            logger.notice("lake commit impossible before the stop; records kept in the spill file for the next start",
                          metadata: ["records": "\(messages.count)", "file": "\(url.path)", "error": "\(error)"])
        } catch let spillError {
            stats.lostAtStop += messages.count
            logger.error("records lost at the stop: neither committed nor spilled", metadata: [
                "records": "\(messages.count)", "commit_error": "\(error)", "spill_error": "\(spillError)"])
        }
    }

    /// Commits what is pending. With `thenForget` (a revocation), the pending records of those
    /// partitions are dropped afterwards, committed or not, and their identities forgotten: the
    /// next owner reads them again from the lake's position, and so may this member.
    private func flush(reason: String, thenForget gone: Set<BusPartition> = []) async throws {
        while flushing { await withCheckedContinuation { flushWaiters.append($0) } }
        flushing = true
        defer {
            if !gone.isEmpty { forgetPending(of: gone) }
            flushing = false
            let waiters = flushWaiters
            flushWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
        guard !pendingOffsets.isEmpty || !tradeOffsets.isEmpty else { return }
        // Stream candles first: the tick commit's txn covers their offsets too, so they must be
        // in their table before it (a failure keeps them pending, never blocks the ticks).
        await streamCandles?.flush()
        // Trades next, under their own positions: normally both positions then end up equal and
        // a restart between the two commits re-reads nothing; a failure leaves the trades
        // position behind (the rows stay pending) and the ticks go on.
        if let trades {
            let offsets = tradeOffsets
            tradeOffsets.removeAll()
            await trades.flush(through: offsets, force: reason == "shutdown")
        }
        guard !pendingOffsets.isEmpty else {
            if tradeOffsets.isEmpty { pendingSince = nil }
            return
        }
        // Taken out of `pending` while it commits: the poll loop appends on meanwhile, and an
        // array shared with the commit was copied whole (every record retained) by the first
        // append. A failed commit puts the batch back in front.
        let records = pending
        pending = []
        committing = records
        defer { committing = [] }
        let offsets = pendingOffsets
        var transactions: [String: Int64] = [:]
        for (partition, offset) in offsets { transactions[appID(for: partition)] = offset }
        let started = ContinuousClock.now
        let version: Int64
        do {
            version = try await lake.append(records, transactions: transactions)
        } catch {
            pending = records + pending
            throw error
        }
        commitTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        // Only now is the batch safe: tell the bus (for lag monitoring). Only what this commit
        // held: the poll loop reads on while a revocation's flush commits.
        for (partition, offset) in offsets where pendingOffsets[partition] == offset { pendingOffsets[partition] = nil }
        // What was read meanwhile waits its own trigger from now: with the old instant it was
        // due at once, and every commit was followed by a tiny one.
        pendingSince = pendingOffsets.isEmpty && tradeOffsets.isEmpty ? nil : .now
        let committedAt = currentUnixMillis()
        for record in records {
            let latency = committedAt - record.tick.sourceTimeMillis
            freshness.add(latency)
            freshnessBySource[record.tick.source, default: LatencyWindow(capacity: 2_000)].add(latency)
        }
        stats.commits += 1
        stats.committedRecords += records.count
        if version >= 0 { stats.lastVersion = version }
        stats.lastCommitMillis = committedAt
        committedCounter.increment(by: records.count)
        // The candles of these ticks, in the same cycle; never throws (a failure is retried).
        await rollup?.ticksCommitted(records, offsets: offsets, inMainTable: version >= 0)
        let next = offsets.mapValues { $0 + 1 }
        for (partition, offset) in next { stats.committedOffsets[partition.description] = offset }
        if let consumer {
            do {
                try await consumer.commit(next)
            } catch {
                // The lake's txn is authoritative for resuming; the bus offset only feeds lag.
                logger.warning("bus offset commit failed", metadata: ["error": "\(error)"])
            }
        }
        logger.debug("committed batch", metadata: [
            "reason": "\(reason)", "records": "\(records.count)", "version": "\(version)"])
    }
}
