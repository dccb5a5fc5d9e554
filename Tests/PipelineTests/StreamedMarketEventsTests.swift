import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Pipeline

/// Streamed trades and closed klines on a real bus: trades on the live topic (skipped by the
/// hot tail, not dead-lettered), final candles on the lake topic and from there, through the
/// stream processor, into the candles table exactly once; in-process and through tansu.
@Suite(.serialized) struct StreamedMarketEventsTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.test.streamed")
        logger.logLevel = .error
        return logger
    }()

    static let minute: Int64 = (currentUnixMillis() - 3_600_000) / 60_000 * 60_000

    static func trade(_ id: Int64, base: String = "BTC") -> StreamEvent {
        .trade(TradeEvent(provider: .binance, pair: "\(base)USDT", base: base, quoteCurrency: "USDT", tradeID: id, price: 65_000.5,
                          quantity: 0.25, buyerIsMaker: id % 2 == 0, tradeTimeMillis: minute + id, eventTimeMillis: minute + id + 1))
    }

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

    @Test func tradesGoToTheLiveTopicAndOnlyFinalCandlesToTheLakeTopic() async throws {
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

        let lake = try await Self.consume(bus, topics: [BusTopics.rawData], count: 1)
        #expect(lake.count == 1)
        let candle = try CandleMessage.decode(try #require(lake.first).value)
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

    @Test func finalCandlesReachTheCandlesTableOnceThroughTheInProcessBus() async throws {
        try await finalCandlesLandOnce(bus: InProcessBus(), group: "processor", asset: "bitcoin", sharedBroker: false)
    }

    @Test func finalCandlesReachTheCandlesTableOnceThroughKafka() async throws {
        var configuration = KafkaBus.Configuration(bootstrapServers: [try TestEnvironment.kafkaBootstrap()])
        configuration.sessionTimeout = .seconds(2)
        let bus = try KafkaBus(configuration: configuration, logger: Self.logger)
        let suffix = UUID().uuidString.prefix(8)
        // The pipeline's topic names are fixed, so a unique group reads the shared broker's topics
        // from the start: other tests' ticks are committed too; only this run's asset is counted.
        try await finalCandlesLandOnce(bus: bus, group: "stream-candles-\(suffix)", asset: AssetID("bitcoin-\(suffix.lowercased())"),
                                       sharedBroker: true)
        await bus.close()
    }
}
