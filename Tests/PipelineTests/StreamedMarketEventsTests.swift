import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Synchronization
import Testing
import TestSupport
@testable import Pipeline

/// Streamed trades and closed klines on a real bus: trades on both topics (skipped by the hot
/// tail, not dead-lettered), final candles on the lake topic only; from the lake topic, through
/// the stream processor, trades into the trades table and candles into the candles table,
/// each exactly once, replays included; in-process and through tansu.
@Suite(.serialized) struct StreamedMarketEventsTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.test.streamed")
        logger.logLevel = .error
        return logger
    }()

    static let minute: Int64 = (currentUnixMillis() - 3_600_000) / 60_000 * 60_000

    static func tradeEvent(_ id: Int64, base: String = "BTC") -> TradeEvent {
        TradeEvent(provider: .binance, pair: "\(base)USDT", base: base, quoteCurrency: "USDT", tradeID: id, price: 65_000.5,
                   quantity: 0.25, buyerIsMaker: id % 2 == 0, tradeTimeMillis: minute + id, eventTimeMillis: minute + id + 1)
    }

    static func trade(_ id: Int64, base: String = "BTC") -> StreamEvent { .trade(tradeEvent(id, base: base)) }

    static func candle(_ index: Int64, final: Bool = true) -> StreamEvent {
        let open = minute + index * 60_000
        return .candle(StreamCandle(
            provider: .binance, pair: "BTCUSDT", base: "BTC", quoteCurrency: "USDT", interval: "1m",
            bar: HistoryBar(openTimeMillis: open, closeTimeMillis: open + 59_999, open: 100, high: 110 + Double(index), low: 95,
                            close: 105, baseVolume: 12.5, quoteVolume: 1_300, tradeCount: 42),
            isFinal: final, eventTimeMillis: open + 60_000))
    }

    static let resolve: @Sendable (String) async -> AssetID? = { $0 == "BTC" ? "bitcoin" : nil }

    /// Every record of `topics` on `bus` until `count` arrived (or 10 s passed).
    static func consume(_ bus: any Bus, topics: [String], count: Int) async throws -> [BusRecord] {
        let consumer = try await bus.consumer(group: "reader-\(UUID().uuidString.prefix(8))", topics: topics, listener: RebalanceListener())
        var records: [BusRecord] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while records.count < count, ContinuousClock.now < deadline {
            records += try await consumer.poll(maxRecords: 100, maxWait: .milliseconds(200))
        }
        await consumer.close()
        return records
    }

    @Test func tradesGoToBothTopicsAndOnlyFinalCandlesToTheLakeTopic() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        await publisher.publish([Self.trade(7), Self.trade(8, base: "NOPE"), Self.candle(0, final: false), Self.candle(0), Self.trade(9)],
                                resolve: Self.resolve)
        let stats = await publisher.currentStats()
        #expect(stats == MarketEventPublisher.Stats(trades: 2, candles: 1, openCandlesSkipped: 1, unresolved: 1, dropped: 0))

        let live = try await Self.consume(bus, topics: [BusTopics.streaming], count: 2)
        let trades = try live.map { try JSONDecoder().decode(TradeMessage.self, from: Data($0.value)) }
        #expect(trades.map(\.trade.tradeID).sorted() == [7, 9])
        let first = try #require(trades.first { $0.trade.tradeID == 7 })
        #expect(first.type == "trade" && first.schemaVersion == 1)
        #expect(first.trade == TradeMessage.Trade(source: .binance, asset: "bitcoin", pair: "BTCUSDT", base: "BTC", quoteCurrency: "USDT",
                                                  tradeID: 7, price: 65_000.5, quantity: 0.25, buyerIsMaker: false,
                                                  tradeTimeMillis: Self.minute + 7, eventTimeMillis: Self.minute + 8))
        #expect(live.allSatisfy { $0.key == Array("bitcoin".utf8) }, "keyed by asset, like the asset's ticks")

        let lake = try await Self.consume(bus, topics: [BusTopics.rawData], count: 3)
        #expect(lake.count == 3)
        let lakeTrades = lake.compactMap { try? TradeMessage.decode($0.value) }
        #expect(lakeTrades.map(\.trade.tradeID).sorted() == [7, 9] && Set(lakeTrades) == Set(trades), "the same messages as the live topic")
        let candle = try CandleMessage.decode(try #require(lake.first { (try? TradeMessage.decode($0.value)) == nil }).value)
        #expect(candle.candle.asset == "bitcoin" && candle.candle.openTimeMillis == Self.minute && candle.candle.tradeCount == 42)
        #expect(candle.candle.baseVolume == 12.5 && candle.candle.quoteVolume == 1_300 && candle.candle.high == 110)
    }

    @Test func theHotTailSkipsTradesWithoutDeadLetteringThem() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        await publisher.publish([Self.trade(1), Self.trade(2)], resolve: Self.resolve)
        let tick = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", quoteCurrency: "USDT", price: 65_000,
                        sourceTimeMillis: currentUnixMillis(), collectedTimeMillis: currentUnixMillis())
        try await bus.publish([try TickMessageCodec().encode(tick, topic: BusTopics.streaming, producedAtMillis: currentUnixMillis())])
        let tail = HotTail()
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: Self.logger)
        let follow = Task { try await tail.follow(bus: bus, group: "tail", deadLetters: deadLetters, logger: Self.logger) }
        for _ in 0..<100 where tail.latest().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        follow.cancel()
        try? await follow.value
        #expect(tail.latest().map(\.price) == [65_000])
        #expect(deadLetters.counts.isEmpty, "\(deadLetters.counts)")
    }

    /// Publishes candles 0, 1 (twice: a replay) and 2 with some ticks, runs a processor with a
    /// stream-candle writer until it consumed them all, and reads the candles table back.
    func finalCandlesLandOnce(bus: any Bus, group: String, asset: AssetID, sharedBroker: Bool) async throws {
        let resolve: @Sendable (String) async -> AssetID? = { $0 == "BTC" ? asset : nil }
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let dir = try TestEnvironment.temporaryDirectory("stream-candles")
        let lake = try await Lake.open(store: try LocalFileStore(root: dir.path))
        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        await publisher.publish([Self.candle(0), Self.candle(1)], resolve: resolve)
        await publisher.publish([Self.candle(1), Self.candle(2, final: false)], resolve: resolve)
        let ticks = (0..<5).map { i in
            Tick(source: .binance, asset: asset, symbol: "BTC", quoteCurrency: "USDT", price: 100 + Double(i),
                 sourceTimeMillis: Self.minute + Int64(i) * 1000, collectedTimeMillis: Self.minute + Int64(i) * 1000 + 5)
        }
        let codec = TickMessageCodec()
        try await bus.publish(try ticks.map { try codec.encode($0, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis()) })
        await publisher.publish([Self.candle(2)], resolve: resolve)

        var configuration = StreamProcessor.Configuration()
        configuration.group = group
        configuration.trigger = .milliseconds(100)
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: Self.logger)
        let writer = StreamCandleWriter(sink: try await lake.candles(), logger: Self.logger)
        let processor = StreamProcessor(bus: bus, lake: try await lake.ticks(), streamCandles: writer,
                                        configuration: configuration, deadLetters: deadLetters, logger: Self.logger)
        let run = Task { try await processor.run() }
        for _ in 0..<300 {
            let stats = await processor.currentStats()
            if (stats.streamCandles?.rows ?? 0) >= 3 && stats.committedRecords >= 5 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        run.cancel()
        try await run.value
        let stats = await processor.currentStats()
        // On the shared broker, other tests' ticks (and garbage) are on the topic too.
        if !sharedBroker { #expect(stats.committedRecords == 5 && stats.deadLettered == 0, "\(deadLetters.counts)") }
        let written = try #require(stats.streamCandles)
        #expect(written.rows == 3 && written.failedCommits == 0 && written.pending == 0, "\(written)")

        let bars = try await lake.candles().candles(asset: asset, interval: .oneMinute)
        #expect(bars.map(\.openTimeMillis) == [0, 1, 2].map { Self.minute + $0 * 60_000 }, "each bar once")
        #expect(bars.allSatisfy { $0.origin == .stream && $0.isFinal && $0.asset == asset && $0.source == .binance })
        #expect(bars.allSatisfy { $0.baseVolume == 12.5 && $0.quoteVolume == 1_300 && $0.tradeCount == 42 && $0.symbol == "BTCUSDT" })
        let version = try await lake.candles().transactionVersion(appId: StreamCandleWriter.appID(source: .binance, asset: asset, interval: .oneMinute))
        #expect(version == Self.minute + 2 * 60_000)

        // A replay of everything (a restarted processor reading from the start) adds no row.
        let before = try await lake.candles().snapshot().version
        let replay = StreamCandleWriter(sink: try await lake.candles(), logger: Self.logger)
        for index in Int64(0)...2 {
            guard case .candle(let candle) = Self.candle(index) else { continue }
            await replay.add(CandleMessage(candle, asset: asset, producedAtMillis: 0), ingestTimeMillis: currentUnixMillis())
        }
        await replay.flush()
        #expect(await replay.currentStats().alreadyCommitted == 3)
        #expect(try await lake.candles().snapshot().version == before, "nothing committed again")
    }

    /// Runs a processor of `group` with a trades writer over `trades` (ticks to `ticks`) until
    /// `done` holds of its stats (or 15 s passed), then stops it; returns its last stats.
    static func process(_ bus: any Bus, group: String, ticks: any LakeWriter, trades: TradeTable, seed: Bool = false,
                        drain: Duration = .seconds(5),
                        until done: @escaping @Sendable (StreamProcessor.Stats) async -> Bool) async throws -> StreamProcessor.Stats {
        var configuration = StreamProcessor.Configuration()
        configuration.group = group
        configuration.trigger = .milliseconds(100)
        configuration.drain = DrainBudget(timeout: drain)
        var writerConfiguration = StreamTradeWriter.Configuration()
        writerConfiguration.group = group
        let writer = StreamTradeWriter(table: trades, configuration: writerConfiguration, logger: Self.logger)
        if seed { await writer.seedIdentities(fromMillis: Self.minute - 60_000) }
        let processor = StreamProcessor(bus: bus, lake: ticks, trades: writer, configuration: configuration,
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: Self.logger), logger: Self.logger)
        let run = Task { try await processor.run() }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, await !done(await processor.currentStats()) { try await Task.sleep(for: .milliseconds(50)) }
        run.cancel()
        try? await run.value
        return await processor.currentStats()
    }

    /// The trade ids of `asset` the trades table holds, repeats kept.
    static func tradeIDs(_ table: TradeTable, asset: AssetID) async throws -> [Int64] {
        try await table.trades().filter { $0.trade.asset == asset }.map(\.trade.tradeID)
    }

    /// Publishes trades 1-4 with repeats (2 and 3 again: a reconnect's overlap, a gap repair's
    /// refetch, each reaching the bus twice) among ticks; a processor commits each trade once,
    /// and a second processor of another group that reads the whole topic again into the same
    /// trades table (ticks elsewhere) adds none: the identities seeded from the table drop them.
    func tradesLandOnce(bus: any Bus, group: String, asset: AssetID, sharedBroker: Bool) async throws {
        let resolve: @Sendable (String) async -> AssetID? = { $0 == "BTC" ? asset : nil }
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let dir = try TestEnvironment.temporaryDirectory("stream-trades")
        let lake = try await Lake.open(store: try LocalFileStore(root: dir.path))
        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        await publisher.publish([Self.trade(1), Self.trade(2), Self.trade(3)], resolve: resolve)
        let ticks = (0..<3).map { i in
            Tick(source: .binance, asset: asset, symbol: "BTC", quoteCurrency: "USDT", price: 100 + Double(i),
                 sourceTimeMillis: Self.minute + Int64(i) * 1000, collectedTimeMillis: Self.minute + Int64(i) * 1000 + 5)
        }
        try await bus.publish(try ticks.map { try TickMessageCodec().encode($0, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis()) })
        await publisher.publish([Self.trade(2), Self.trade(3), Self.trade(4)], resolve: resolve)

        if bus is InProcessBus {
            // The in-process bus drops what every group committed past: a lagging group keeps
            // the records for the replay below, as Kafka's retention does.
            let holder = try await bus.consumer(group: group + "-replay", topics: [BusTopics.rawData], listener: RebalanceListener())
            try await holder.commit(Dictionary(uniqueKeysWithValues: (0..<3).map { (BusPartition(topic: BusTopics.rawData, partition: Int32($0)), Int64(0)) }))
            await holder.close()
        }
        let trades = try await lake.trades()
        // Trade 4 went out last, after the repeats, in the asset's one partition: once it is in,
        // everything before it was read.
        let first = try await Self.process(bus, group: group, ticks: try await lake.ticks(), trades: trades) { _ in
            (try? await Self.tradeIDs(trades, asset: asset).contains(4)) == true
        }
        let written = try #require(first.streamTrades)
        #expect(written.failedCommits == 0 && written.pending == 0, "\(written)")
        if !sharedBroker {
            #expect(written.rows == 4 && written.duplicates == 2, "\(written)")
            #expect(first.committedRecords == 3 && first.deadLettered == 0, "\(first)")
        }
        #expect(try await Self.tradeIDs(trades, asset: asset) == [1, 2, 3, 4], "each trade once")
        let rows = try await trades.trades().filter { $0.trade.asset == asset }
        let row = try #require(rows.first)
        #expect(row.busTopic == BusTopics.rawData && row.trade.quoteCurrency == "USDT" && row.trade.pair == "BTCUSDT")
        #expect(row.trade == TradeMessage(Self.tradeEvent(1), asset: asset, producedAtMillis: 0).trade)
        let partition = BusPartition(topic: BusTopics.rawData, partition: row.busPartition)
        let lastOffset = try #require(rows.map(\.busOffset).max())
        let position = try await trades.transactionVersion(appId: StreamTradeWriter.appID(group: group, partition: partition))
        #expect(position.map { $0 >= lastOffset } == true, "position \(String(describing: position)) covers offset \(lastOffset)")

        let replayTicks = try await Lake.open(store: try LocalFileStore(root: dir.appendingPathComponent("elsewhere").path)).ticks()
        let replay = try await Self.process(bus, group: group + "-replay", ticks: replayTicks, trades: trades, seed: true) {
            ($0.committedOffsets[partition.description] ?? 0) > lastOffset
        }
        let again = try #require(replay.streamTrades)
        #expect(again.rows == 0 && again.duplicates >= 6, "\(again)")
        #expect(try await Self.tradeIDs(trades, asset: asset) == [1, 2, 3, 4])
    }

    @Test func tradesReachTheTradesTableOnceThroughTheInProcessBus() async throws {
        try await tradesLandOnce(bus: InProcessBus(), group: "processor", asset: "bitcoin", sharedBroker: false)
    }

    @Test func tradesReachTheTradesTableOnceThroughKafka() async throws {
        try await Self.onSharedBroker("stream-trades") { bus, group, asset in
            try await tradesLandOnce(bus: bus, group: group, asset: asset, sharedBroker: true)
        }
    }

    /// Runs `body` with a bus on the test broker, a group and an asset id of this run's own. The
    /// pipeline's topic names are fixed, so a unique group reads the shared broker's topics from
    /// the start: other tests' messages are read too; only this run's asset is counted.
    static func onSharedBroker(_ prefix: String, _ body: (any Bus, String, AssetID) async throws -> Void) async throws {
        var configuration = KafkaBus.Configuration(bootstrapServers: [try TestEnvironment.kafkaBootstrap()])
        configuration.sessionTimeout = .seconds(2)
        let bus = try KafkaBus(configuration: configuration, logger: Self.logger)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        do {
            try await body(bus, "\(prefix)-\(suffix)", AssetID("bitcoin-\(suffix)"))
        } catch {
            await bus.close()
            throw error
        }
        await bus.close()
    }

    /// The trades commit lands and the tick commit that follows it fails (the store refuses
    /// writes under `ticks/`), then the processor stops: the records stay on the bus. The next
    /// processor of the group reads them again from the lower (tick) position: it commits the
    /// ticks and skips the trades the trades table already holds.
    @Test func aRestartAfterTheTradesCommitAndBeforeTheTickCommitAddsNoTrade() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let dir = try TestEnvironment.temporaryDirectory("stream-trades-restart")
        let store = try WriteRefusingStore(root: dir, prefix: "ticks/")
        let lake = try await Lake.open(store: store)
        let trades = try await lake.trades()
        let tickTable = try await lake.ticks()
        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        await publisher.publish((1...5).map { Self.trade($0) }, resolve: Self.resolve)
        let tick = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", quoteCurrency: "USDT", price: 100,
                        sourceTimeMillis: Self.minute, collectedTimeMillis: Self.minute + 5)
        try await bus.publish([try TickMessageCodec().encode(tick, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis())])

        store.refusing.withLock { $0 = true }
        let first = try await Self.process(bus, group: "g", ticks: tickTable, trades: trades, drain: .milliseconds(300)) {
            ($0.streamTrades?.rows ?? 0) >= 5 && $0.failedCommits >= 1
        }
        #expect(first.streamTrades?.rows == 5 && first.committedRecords == 0 && first.leftOnBusAtStop == 1, "\(first)")
        let version = try await trades.delta.latestSnapshot().version

        store.refusing.withLock { $0 = false }
        let second = try await Self.process(bus, group: "g", ticks: tickTable, trades: trades) { $0.committedRecords >= 1 }
        #expect(second.committedRecords == 1 && second.alreadyCommitted == 5, "\(second)")
        #expect(second.streamTrades?.rows == 0 && second.streamTrades?.duplicates == 0, "skipped by position, before any identity check")
        #expect(try await Self.tradeIDs(trades, asset: "bitcoin") == [1, 2, 3, 4, 5])
        #expect(try await trades.delta.latestSnapshot().version == version, "nothing committed to the trades table again")
        #expect(try await tickTable.ticks().map(\.tick.price) == [100])
    }

    @Test func finalCandlesReachTheCandlesTableOnceThroughTheInProcessBus() async throws {
        try await finalCandlesLandOnce(bus: InProcessBus(), group: "processor", asset: "bitcoin", sharedBroker: false)
    }

    @Test func finalCandlesReachTheCandlesTableOnceThroughKafka() async throws {
        try await Self.onSharedBroker("stream-candles") { bus, group, asset in
            try await finalCandlesLandOnce(bus: bus, group: group, asset: asset, sharedBroker: true)
        }
    }
}
