import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Synchronization
import Testing
import TestSupport
@testable import Pipeline

/// A real on-disk store that refuses writes under `prefix` while `refusing` is set, reads
/// always answer: with `candles/`, the candles commit fails for real (its data file cannot be
/// stored) and the tick commit does not; with `ticks/`, the other way round.
final class WriteRefusingStore: ObjectStore {
    let base: LocalFileStore
    let prefix: String
    let refusing = Mutex(false)

    init(root: URL, prefix: String) throws {
        base = try LocalFileStore(root: root.path)
        self.prefix = prefix
    }

    private func gate(_ key: ObjectKey) throws {
        if refusing.withLock({ $0 }) && "\(key)".hasPrefix(prefix) {
            throw ObjectStoreError(.io, "write refused (test): \(key)")
        }
    }

    func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] { try await base.get(key, range: range) }
    func head(_ key: ObjectKey) async throws -> ObjectMetadata? { try await base.head(key) }
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws { try gate(key); try await base.put(key, bytes) }
    func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool { try gate(key); return try await base.putIfAbsent(key, bytes) }
    func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        try await base.list(prefix: prefix, delimiter: delimiter, continuationToken: continuationToken, maxKeys: maxKeys)
    }
    func delete(_ keys: [ObjectKey]) async throws { try await base.delete(keys) }
}

/// The processor's live rollups against a real in-process bus and a real lake on disk, checked
/// against OHLC computed by DuckDB from the committed tick rows, and read back by delta-rs,
/// DuckDB and our reader.
@Suite(.serialized) struct LiveRollupTests {
    /// A minute start 30 minutes ago: every test minute is closed by the clock, and within the
    /// first rollup's look-back.
    static let t0: Int64 = MinuteBar.minute(of: currentUnixMillis() - 30 * 60_000)
    static let assets = ["alpha", "beta", "gamma", "delta"]
    static let sources: [ProviderID] = [.binance, .coinGecko]
    let logger = Logger(label: "test")

    /// Ticks of every asset and source in minute `m` (after `t0`), three per series at seconds
    /// that differ per series, listed out of source-time order; prices from a seeded generator.
    static func minute(_ m: Int, assets: [String] = assets, sources: [ProviderID] = sources) -> [Tick] {
        var generator = SplitMix64(seed: UInt64(1000 + m))
        var out: [Tick] = []
        for (ai, asset) in assets.enumerated() {
            for (si, source) in sources.enumerated() {
                for second in [41, 7, 23].map({ Int64($0 + ai + si * 3) }) {
                    let price = 100 * Double(ai + 1) + Double(generator.next() % 1000) / 100
                    let t = t0 + Int64(m) * 60_000 + second * 1_000
                    out.append(Tick(source: source, asset: AssetID(asset), symbol: asset.prefix(3).uppercased(),
                                    quoteCurrency: source == .binance ? "USDT" : "USD", price: price,
                                    marketCap: source == .coinGecko ? price * 1e6 : nil, volume24h: 5e8,
                                    sourceTimeMillis: t, collectedTimeMillis: t + 100))
                }
            }
        }
        return out
    }

    func publish(_ ticks: [Tick], to bus: InProcessBus) async throws {
        let codec = TickMessageCodec()
        try await bus.publish(try ticks.map { try codec.encode($0, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis()) })
    }

    func configuration(group: String) -> StreamProcessor.Configuration {
        var c = StreamProcessor.Configuration()
        c.group = group
        c.maxBatchRecords = 1  // every poll is committed at once: one tick commit per step
        c.trigger = .milliseconds(50)
        return c
    }

    func rollup(_ lake: Lake, group: String) async throws -> LiveRollup {
        var c = LiveRollup.Configuration()
        c.group = group
        return LiveRollup(candles: try await lake.candles(), ticks: try await lake.ticks(), configuration: c, logger: logger)
    }

    /// Runs a processor until it has committed `records` ticks, then stops it (drain included).
    func runProcessor(_ processor: StreamProcessor, until records: Int) async throws {
        let run = Task { try await processor.run() }
        for _ in 0..<400 where await processor.currentStats().committedRecords < records {
            try await Task.sleep(for: .milliseconds(50))
        }
        run.cancel()
        try await run.value
        #expect(await processor.currentStats().committedRecords == records)
    }

    /// The oracle's view of the lake (see `Tests/Oracles/pipeline/rollup_oracle.py`).
    struct Reference {
        var expected: [[Any]]
        var deltalake: [[Any]]
        var duckdb: [[Any]]
        var finalRows: [String: Int]
        var rows: Int
    }

    func reference(_ lake: URL) throws -> Reference {
        let output = try ProcessRunner.oracle("pipeline/rollup_oracle.py", [lake.path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        return Reference(expected: json["expected"] as? [[Any]] ?? [], deltalake: json["deltalake"] as? [[Any]] ?? [],
                         duckdb: json["duckdb"] as? [[Any]] ?? [], finalRows: json["final_rows"] as? [String: Int] ?? [:],
                         rows: json["rows"] as? Int ?? -1)
    }

    /// "source|asset|open_time" of an oracle row.
    static func key(_ row: [Any]) -> String { "\(row[0])|\(row[1])|\((row[2] as? NSNumber)?.int64Value ?? -1)" }

    /// Key, OHLC and market cap of an oracle row, numbers as Swift prints doubles.
    static func bar(_ row: [Any]) -> String {
        let numbers = (3...7).map { i -> String in (row[i] as? NSNumber).map { "\($0.doubleValue)" } ?? "nil" }
        return key(row) + "|" + numbers.joined(separator: "|")
    }

    static func bar(_ record: CandleRecord) -> String {
        "\(record.source.rawValue)|\(record.asset.rawValue)|\(record.openTimeMillis)|\(record.open)|\(record.high)|\(record.low)|\(record.close)|"
            + (record.marketCap.map { "\($0)" } ?? "nil")
    }

    @Test func rollsUpCommittedTicksIntoTheCandlesTable() async throws {
        let dir = try TestEnvironment.temporaryDirectory("rollup")
        let lake = try await Lake.open(store: try LocalFileStore(root: dir.path))
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        // Four past minutes, published minute by minute but in one arbitrary order per minute,
        // and one series whose minute is still open (two minutes ahead: within the validator's
        // clock-skew allowance, and not closed by the clock before the test ends).
        let open = currentUnixMillis() + 2 * 60_000
        let live = Tick(source: .binance, asset: "omega", symbol: "OMG", quoteCurrency: "USDT", price: 7, sourceTimeMillis: open,
                        collectedTimeMillis: currentUnixMillis())
        var all: [Tick] = []
        for m in 0..<4 { all += Self.minute(m).shuffled() }
        try await publish(all + [live], to: bus)
        let group = "g-\(UUID().uuidString.prefix(6))"
        let processor = StreamProcessor(bus: bus, lake: try await lake.ticks(), rollup: try await rollup(lake, group: group),
                                        configuration: configuration(group: group),
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: logger), logger: logger)
        try await runProcessor(processor, until: all.count + 1)
        let stats = try #require(await processor.currentStats().rollup)
        #expect(stats.failedCommits == 0)

        let reference = try reference(dir)
        #expect(reference.expected.count == 4 * Self.assets.count * Self.sources.count + 1)
        let expected = reference.expected.map(Self.bar)
        #expect(reference.deltalake.map(Self.bar) == expected, "delta-rs")
        #expect(reference.duckdb.map(Self.bar) == expected, "DuckDB")
        let ours = try await lake.candles().candles(interval: .oneMinute)
        #expect(ours.map(Self.bar).sorted() == expected.sorted(), "our reader")
        // Past minutes are final, written once; the open one is not final; no volume anywhere.
        let openKey = "binance|omega|\(MinuteBar.minute(of: open))"
        for row in reference.deltalake {
            #expect((row[8] as? Bool) == (Self.key(row) != openKey), "final flag of \(Self.key(row))")
            #expect(row[9] as? String == "rollup")
        }
        #expect(reference.finalRows.count == expected.count - 1 && reference.finalRows.values.allSatisfy { $0 == 1 },
                "final rows per minute: \(reference.finalRows.filter { $0.value != 1 })")
        #expect(ours.allSatisfy { $0.baseVolume == nil && $0.quoteVolume == nil && $0.tradeCount == nil })
        #expect(ours.first { $0.asset == "omega" }?.isFinal == false)

        // The candles' txn versions equal the ticks' for every partition.
        let tickSnapshot = try await lake.ticks().snapshot()
        let candleSnapshot = try await lake.candles().snapshot()
        for p in 0..<3 {
            let partition = BusPartition(topic: BusTopics.rawData, partition: Int32(p))
            let tickVersion = tickSnapshot.transactionVersion(appId: StreamProcessor.appID(group: group, partition: partition))
            #expect(tickVersion != nil)
            #expect(candleSnapshot.transactionVersion(appId: LiveRollup.appID(group: group, partition: partition)) == tickVersion)
        }
    }

    @Test func aCrashBetweenTheTickAndCandleCommitsIsRepairedAtRestart() async throws {
        let dir = try TestEnvironment.temporaryDirectory("rollup-crash")
        let store = try WriteRefusingStore(root: dir, prefix: "candles/")
        let lake = try await Lake.open(store: store)
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        let group = "g-\(UUID().uuidString.prefix(6))"
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: logger)

        // First life: one good cycle (minutes 0-1), then a cycle whose candles commit fails
        // (minutes 2-3: their ticks are committed), then the process dies before any retry.
        let first = StreamProcessor(bus: bus, lake: try await lake.ticks(), rollup: try await rollup(lake, group: group),
                                    configuration: configuration(group: group), deadLetters: deadLetters, logger: logger)
        let consumer = try await bus.consumer(group: group, topics: [BusTopics.rawData], listener: RebalanceListener())
        let early = Self.minute(0) + Self.minute(1)
        try await publish(early, to: bus)
        try await first.step(consumer: consumer, maxWait: .milliseconds(100))
        #expect(await first.currentStats().committedRecords == early.count)
        #expect(await first.currentStats().rollup?.commits == 1)

        store.refusing.withLock { $0 = true }
        let middle = Self.minute(2) + Self.minute(3)
        try await publish(middle, to: bus)
        try await first.step(consumer: consumer, maxWait: .milliseconds(100))
        let afterFailure = await first.currentStats()
        #expect(afterFailure.committedRecords == early.count + middle.count, "the tick path goes on")
        #expect(afterFailure.rollup?.failedCommits == 1)
        await consumer.close()  // the process is gone
        store.refusing.withLock { $0 = false }

        // The candles are behind the ticks now: minutes 2 and 3 are missing.
        let partitions = (0..<3).map { BusPartition(topic: BusTopics.rawData, partition: Int32($0)) }
        let tickSnapshot = try await lake.ticks().snapshot()
        let candleSnapshot = try await lake.candles().snapshot()
        let behind = partitions.filter { p in
            (candleSnapshot.transactionVersion(appId: LiveRollup.appID(group: group, partition: p)) ?? -1)
                < (tickSnapshot.transactionVersion(appId: StreamProcessor.appID(group: group, partition: p)) ?? -1)
        }
        #expect(!behind.isEmpty)
        #expect(try await lake.candles().candles(interval: .oneMinute).allSatisfy { $0.openTimeMillis < Self.t0 + 2 * 60_000 })

        // Second life, fresh objects on the same lake: minute 4 arrives too.
        let restartedLake = try await Lake.open(store: store)
        let late = Self.minute(4)
        try await publish(late, to: bus)
        let second = StreamProcessor(bus: bus, lake: try await restartedLake.ticks(), rollup: try await rollup(restartedLake, group: group),
                                     configuration: configuration(group: group), deadLetters: deadLetters, logger: logger)
        try await runProcessor(second, until: late.count)
        let stats = try #require(await second.currentStats().rollup)
        // Minutes 2 and 3 come back from the tick table (and minute 4 too when its batch was
        // committed before the partitions' first sync).
        #expect((middle.count...(middle.count + late.count)).contains(stats.recoveredTicks),
                "ticks read back from the tick table: \(stats)")

        // Exactly as without the crash: every minute once, final once, equal to the ticks' OHLC.
        let reference = try reference(dir)
        let expected = reference.expected.map(Self.bar)
        #expect(expected.count == 5 * Self.assets.count * Self.sources.count)
        #expect(reference.deltalake.map(Self.bar) == expected, "delta-rs")
        #expect(reference.duckdb.map(Self.bar) == expected, "DuckDB")
        #expect(try await restartedLake.candles().candles(interval: .oneMinute).map(Self.bar).sorted() == expected.sorted())
        #expect(reference.finalRows.count == expected.count, "a final row for every minute")
        #expect(reference.finalRows.values.allSatisfy { $0 == 1 }, "duplicate final rows: \(reference.finalRows.filter { $0.value != 1 })")
        #expect(reference.rows == expected.count, "one row per minute: no minute was written twice")
        let finalTicks = try await restartedLake.ticks().snapshot()
        let finalCandles = try await restartedLake.candles().snapshot()
        for p in partitions {
            #expect(finalCandles.transactionVersion(appId: LiveRollup.appID(group: group, partition: p))
                    == finalTicks.transactionVersion(appId: StreamProcessor.appID(group: group, partition: p)))
        }
    }

    @Test func ticksParkedInTheFallbackTableAreRolledUpOnceTheyReachTheLake() async throws {
        let dir = try TestEnvironment.temporaryDirectory("rollup-fallback")
        let store = try SwitchableStore(root: dir.appendingPathComponent("lake"))
        let lake = try await Lake.open(store: store)
        let group = "g-\(UUID().uuidString.prefix(6))"
        var failover = FailoverLake.Configuration()
        failover.commitTimeout = .seconds(2)
        failover.drainInterval = .milliseconds(100)
        failover.maxDrainInterval = .milliseconds(100)
        let writer = try await FailoverLake(main: try await lake.ticks(), fallbackDirectory: dir.appendingPathComponent("fallback"),
                                            configuration: failover, appID: { StreamProcessor.appID(group: group, partition: $0) },
                                            logger: logger)
        // What the processor's assignment does in `run()`: the fallback drains owned partitions only.
        await writer.setOwned(Set((0..<3).map { BusPartition(topic: BusTopics.rawData, partition: Int32($0)) }))
        var c = LiveRollup.Configuration()
        c.group = group
        c.commits.retryDelay = .milliseconds(100)
        c.commits.maxRetryDelay = .milliseconds(100)
        let rollup = LiveRollup(candles: try await lake.candles(), ticks: try await lake.ticks(), configuration: c, logger: logger)
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        let processor = StreamProcessor(bus: bus, lake: writer, rollup: rollup, configuration: configuration(group: group),
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: logger), logger: logger)
        let consumer = try await bus.consumer(group: group, topics: [BusTopics.rawData], listener: RebalanceListener())
        try await publish(Self.minute(0) + Self.minute(1), to: bus)
        try await processor.step(consumer: consumer, maxWait: .milliseconds(100))

        // The lake is down: minutes 2 and 3 go to the local fallback table, their candles wait.
        store.set(.down)
        try await publish(Self.minute(2) + Self.minute(3), to: bus)
        try await processor.step(consumer: consumer, maxWait: .milliseconds(100))
        #expect(await processor.currentStats().fallback?.fallbackPendingRecords == 48)
        // Back up: the next commit drains the fallback table; the rollup then reads it back.
        store.set(.up)
        try await Task.sleep(for: .milliseconds(300))
        try await publish(Self.minute(4), to: bus)
        try await processor.step(consumer: consumer, maxWait: .milliseconds(100))
        for _ in 0..<5 { try await processor.step(consumer: consumer, maxWait: .milliseconds(50)) }
        await consumer.close()
        #expect(await processor.currentStats().fallback?.fallbackPendingRecords == 0)

        let reference = try reference(dir.appendingPathComponent("lake"))
        let expected = reference.expected.map(Self.bar)
        #expect(expected.count == 5 * Self.assets.count * Self.sources.count)
        #expect(reference.deltalake.map(Self.bar) == expected, "delta-rs")
        #expect(reference.duckdb.map(Self.bar) == expected, "DuckDB")
        #expect(reference.finalRows.count == expected.count && reference.finalRows.values.allSatisfy { $0 == 1 },
                "\(reference.finalRows.filter { $0.value != 1 })")
    }

    /// A processor restarted while its fallback table still holds ticks the main table cannot
    /// take yet: its rollup must wait for the drain, not settle for the main table's version.
    @Test func aRestartWithTicksStillInTheFallbackTableRollsThemUpAfterTheDrain() async throws {
        let dir = try TestEnvironment.temporaryDirectory("rollup-fallback-restart")
        let store = try WriteRefusingStore(root: dir.appendingPathComponent("lake"), prefix: "ticks/")
        let group = "g-\(UUID().uuidString.prefix(6))"
        let partitions = Set((0..<3).map { BusPartition(topic: BusTopics.rawData, partition: Int32($0)) })
        var failover = FailoverLake.Configuration()
        failover.drainInterval = .milliseconds(100)
        failover.maxDrainInterval = .milliseconds(100)
        func writer(_ lake: Lake) async throws -> FailoverLake {
            try await FailoverLake(main: try await lake.ticks(), fallbackDirectory: dir.appendingPathComponent("fallback"),
                                   configuration: failover, appID: { StreamProcessor.appID(group: group, partition: $0) },
                                   logger: logger)
        }
        func rollup(_ lake: Lake) async throws -> LiveRollup {
            var c = LiveRollup.Configuration()
            c.group = group
            c.commits.retryDelay = .milliseconds(100)
            c.commits.maxRetryDelay = .milliseconds(100)
            return LiveRollup(candles: try await lake.candles(), ticks: try await lake.ticks(), configuration: c, logger: logger)
        }
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)

        // First life: minutes 0-1 reach the lake; minutes 2-3 only the fallback table (the tick
        // table refuses writes); then the process dies.
        let lake = try await Lake.open(store: store)
        let firstWriter = try await writer(lake)
        await firstWriter.setOwned(partitions)
        let first = StreamProcessor(bus: bus, lake: firstWriter, rollup: try await rollup(lake), configuration: configuration(group: group),
                                    deadLetters: DeadLetterQueue(fileURL: nil, logger: logger), logger: logger)
        let consumer = try await bus.consumer(group: group, topics: [BusTopics.rawData], listener: RebalanceListener())
        try await publish(Self.minute(0) + Self.minute(1), to: bus)
        try await first.step(consumer: consumer, maxWait: .milliseconds(100))
        store.refusing.withLock { $0 = true }
        try await publish(Self.minute(2) + Self.minute(3), to: bus)
        try await first.step(consumer: consumer, maxWait: .milliseconds(100))
        #expect(await first.currentStats().fallback?.fallbackPendingRecords == 48)
        await consumer.close()

        // Second life, the tick table still refusing writes: the rollup syncs what it can and
        // must not take the main table's version for the partitions' last one.
        let restartedLake = try await Lake.open(store: store)
        let second = StreamProcessor(bus: bus, lake: try await writer(restartedLake), rollup: try await rollup(restartedLake),
                                     configuration: configuration(group: group),
                                     deadLetters: DeadLetterQueue(fileURL: nil, logger: logger), logger: logger)
        let run = Task { try await second.run() }
        try await Task.sleep(for: .seconds(1))
        store.refusing.withLock { $0 = false }
        let late = Self.minute(4)
        try await publish(late, to: bus)
        for _ in 0..<200 where await second.currentStats().committedRecords < late.count { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(500))
        run.cancel()
        try await run.value
        #expect(await second.currentStats().fallback?.fallbackPendingRecords == 0)

        let reference = try reference(dir.appendingPathComponent("lake"))
        let expected = reference.expected.map(Self.bar)
        #expect(expected.count == 5 * Self.assets.count * Self.sources.count)
        #expect(reference.deltalake.map(Self.bar) == expected, "delta-rs")
        #expect(reference.duckdb.map(Self.bar) == expected, "DuckDB")
        #expect(reference.finalRows.count == expected.count && reference.finalRows.values.allSatisfy { $0 == 1 },
                "\(reference.finalRows.filter { $0.value != 1 })")
    }

    @Test func backfilledAndRolledUpMinutesMeetWithoutGapOrDouble() async throws {
        let dir = try TestEnvironment.temporaryDirectory("rollup-seam")
        let lake = try await Lake.open(store: try LocalFileStore(root: dir.path))
        // Backfill: minutes -5..<0 of one series (the provider's bars, with volumes), written
        // before the processor starts.
        let seam = Self.t0 + 5 * 60_000
        let backfilled = (-5 ..< 0).map { m -> CandleRecord in
            let price = 500 + Double(m)
            return CandleRecord(source: .binance, asset: "alpha", symbol: "ALPUSDT", quoteCurrency: "USDT", interval: .oneMinute,
                                openTimeMillis: seam + Int64(m) * 60_000, open: price, high: price + 1, low: price - 1, close: price,
                                baseVolume: 3, quoteVolume: 3 * price, tradeCount: 12, marketCap: nil, isFinal: true,
                                origin: .backfill, ingestTimeMillis: currentUnixMillis() - 60_000)
        }
        try await lake.candles().append(backfilled, transactions: ["backfill/binance/alpha/1m": seam - 60_000])
        // Live ticks from minute -1 (the one overlapping minute) to minute +2.
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        let ticks = (4..<8).flatMap { Self.minute($0, assets: ["alpha"], sources: [.binance]) }
        try await publish(ticks, to: bus)
        let group = "g-\(UUID().uuidString.prefix(6))"
        let processor = StreamProcessor(bus: bus, lake: try await lake.ticks(), rollup: try await rollup(lake, group: group),
                                        configuration: configuration(group: group),
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: logger), logger: logger)
        try await runProcessor(processor, until: ticks.count)

        // Around the seam: every minute exactly once, in order, with no hole.
        let around = try await lake.candles().candles(source: .binance, interval: .oneMinute,
                                                     fromMillis: seam - 5 * 60_000, toMillis: seam + 3 * 60_000)
        #expect(around.map(\.openTimeMillis) == (-5 ..< 3).map { seam + Int64($0) * 60_000 })
        #expect(around.allSatisfy { $0.isFinal })
        // Before the overlap the provider's bars; the overlapping minute goes to its latest
        // final row, the rollup written after the backfill (ARCHITECTURE.md, "Live rollups");
        // after it, rollups without volume.
        #expect(around.prefix(4).allSatisfy { $0.origin == .backfill && $0.baseVolume == 3 })
        #expect(around.dropFirst(4).allSatisfy { $0.origin == .rollup && $0.baseVolume == nil })
        // delta-rs and DuckDB apply the same rule and agree.
        let reference = try reference(dir)
        let ours = try await lake.candles().candles(interval: .oneMinute).map(Self.bar)
        #expect(reference.deltalake.map(Self.bar) == ours.sorted())
        #expect(reference.duckdb.map(Self.bar) == ours.sorted())
        #expect(reference.deltalake.map { $0[9] as? String ?? "" } == Array(repeating: "backfill", count: 4) + Array(repeating: "rollup", count: 4))
    }
}
