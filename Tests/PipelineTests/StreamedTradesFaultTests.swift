import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import MarketSimulator
import ObjectStore
import Testing
import TestSupport
@testable import Collectors
@testable import Pipeline

/// Issue #15's done-when, end to end: the simulator's Binance and Coinbase trade streams, hit by
/// dropped messages (trade-id and sequence holes) and a forced disconnect, are repaired by the
/// collectors, published, and committed by the stream processor; the trades table, read by
/// delta-rs and DuckDB, holds every trade the simulator printed in the covered id range exactly
/// once. On the in-process bus and through tansu.
@Suite(.serialized) struct StreamedTradesFaultTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.test.trades-fault")
        logger.logLevel = .critical
        return logger
    }()

    /// The trade ids a collector delivered, per pair.
    actor Delivered {
        var ids: [String: [Int64]] = [:]
        func add(_ events: [StreamEvent]) {
            for case .trade(let trade) in events { ids[trade.pair, default: []].append(trade.tradeID) }
        }
        func count(_ pair: String) -> Int { ids[pair]?.count ?? 0 }
    }

    /// A stream collector of `venue`'s BTC trades against the simulator, with its REST gap repair.
    static func collector(_ venue: ProviderID, simulator: MarketSimulator) -> StreamCollector {
        var configuration = CollectorConfiguration()
        var settings: StreamSettings
        let provider: any MarketStreamProvider
        if venue == .binance {
            configuration.providers[.binance]?.baseURL = simulator.endpoints.binance
            settings = StreamSettings(baseURL: simulator.endpoints.binanceStreams)
            provider = BinanceStreamProvider(baseURL: settings.baseURL)
        } else {
            configuration.providers[.coinbase]?.baseURL = simulator.endpoints.coinbase
            settings = StreamSettings.coinbase
            settings.baseURL = simulator.endpoints.coinbaseStreams
            settings.tradeSymbols = ["BTC"]
            provider = CoinbaseStreamProvider(baseURL: settings.baseURL, tradeSymbols: settings.tradeSymbols)
        }
        settings.watchdog = .seconds(5)
        settings.reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        settings.closeTimeout = .milliseconds(500)
        let board = ProviderHealthBoard()
        let transport = ProviderRegistry.transport(for: venue, configuration: configuration, httpClient: .shared, health: board,
                                                   logger: logger)
        return StreamCollector(provider: provider, settings: settings, health: board,
                               repair: ProviderRegistry.makeTradeRepair(venue, configuration: configuration, transport: transport),
                               logger: logger)
    }

    @Test func aForcedDisconnectAndDroppedMessagesLoseNoTradeOnTheWayToTheLakeInProcess() async throws {
        try await run(bus: InProcessBus(), group: "trades-fault", asset: "bitcoin")
    }

    @Test func aForcedDisconnectAndDroppedMessagesLoseNoTradeOnTheWayToTheLakeThroughKafka() async throws {
        try await StreamedMarketEventsTests.onSharedBroker("trades-fault") { bus, group, asset in
            try await run(bus: bus, group: group, asset: asset)
        }
    }

    func run(bus: any Bus, group: String, asset: AssetID) async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 20
        simulatorConfiguration.streams.tickerInterval = .milliseconds(100)
        simulatorConfiguration.streams.pingInterval = .seconds(2)
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let dir = try TestEnvironment.temporaryDirectory("trades-fault")
        let lake = try await Lake.open(store: try LocalFileStore(root: dir.path))
        let table = try await lake.trades()

        var configuration = StreamProcessor.Configuration()
        configuration.group = group
        configuration.trigger = .milliseconds(200)
        var writerConfiguration = StreamTradeWriter.Configuration()
        writerConfiguration.group = configuration.group
        let writer = StreamTradeWriter(table: table, configuration: writerConfiguration, logger: Self.logger)
        let processor = StreamProcessor(bus: bus, lake: try await lake.ticks(), trades: writer, configuration: configuration,
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: Self.logger), logger: Self.logger)
        let processing = Task { try await processor.run() }

        let publisher = MarketEventPublisher(bus: bus, logger: Self.logger)
        let resolve: @Sendable (String) async -> AssetID? = { $0 == "BTC" ? asset : nil }
        let delivered = Delivered()
        let binance = Self.collector(.binance, simulator: simulator)
        let coinbase = Self.collector(.coinbase, simulator: simulator)
        let collecting = [
            Task { try await binance.run(subscription: StreamSubscription(allTickers: false, tradeSymbols: ["BTC"])) { events in
                await delivered.add(events)
                await publisher.publish(events, resolve: resolve)
            } },
            Task { try await coinbase.run(subscription: StreamSubscription(allTickers: false, tickerSymbols: ["BTC"], tradeSymbols: ["BTC"])) { events in
                await delivered.add(events)
                await publisher.publish(events, resolve: resolve)
            } },
        ]
        func health(_ collector: StreamCollector, _ venue: ProviderID) async -> StreamHealth { await collector.health.streamHealth(of: venue) }
        func flowing(beyond counts: (Int, Int)) async -> Bool {
            let binanceTrades = await delivered.count("BTCUSDT"), coinbaseTrades = await delivered.count("BTC-USD")
            return binanceTrades > counts.0 + 5 && coinbaseTrades > counts.1 + 5
        }

        #expect(await eventually(within: .seconds(10)) { await flowing(beyond: (10, 10)) }, "both venues trade")
        // Dropped messages: 5 Binance trade frames (a trade-id hole), 5 Coinbase tickers
        // (sequence holes), both filled from REST.
        simulator.injectStreamFault(.dropTrades(count: 5))
        let repaired = await eventually(within: .seconds(5)) {
            let binanceRepaired = await health(binance, .binance).tradesRepaired, coinbaseRepaired = await health(coinbase, .coinbase).tradesRepaired
            return binanceRepaired >= 5 && coinbaseRepaired >= 5
        }
        #expect(repaired)
        // The forced disconnect: every connection dropped without a close frame.
        let before = (await delivered.count("BTCUSDT"), await delivered.count("BTC-USD"))
        simulator.injectStreamFault(.dropOpenConnections)
        let reconnected = await eventually(within: .seconds(8)) {
            let binanceReconnects = await health(binance, .binance).reconnects, coinbaseReconnects = await health(coinbase, .coinbase).reconnects
            let moving = await flowing(beyond: before)
            return binanceReconnects >= 1 && coinbaseReconnects >= 1 && moving
        }
        #expect(reconnected)
        for task in collecting { task.cancel() }
        for task in collecting { try? await task.value }

        let pairs: [(ProviderID, String)] = [(.binance, "BTCUSDT"), (.coinbase, "BTC-USD")]
        let expected = await delivered.ids
        let caughtUp = await eventually(within: .seconds(20)) {
            guard let rows = try? await table.trades().filter({ $0.trade.asset == asset }) else { return false }
            return pairs.allSatisfy { _, pair in Set(rows.filter { $0.trade.pair == pair }.map(\.trade.tradeID)) == Set(expected[pair] ?? []) }
        }
        processing.cancel()
        try await processing.value
        await simulator.stop()
        #expect(caughtUp, "the processor committed every delivered trade")

        for (venue, collector) in [(ProviderID.binance, binance), (.coinbase, coinbase)] {
            let h = await health(collector, venue)
            #expect(h.gapsFound >= 1 && h.tradesUnfilled == 0 && h.reconnects >= 1, "\(venue): \(h)")
        }
        #expect(await publisher.currentStats().dropped == 0)
        let stats = try #require(await processor.currentStats().streamTrades)
        #expect(stats.failedCommits == 0 && stats.pending == 0, "\(stats)")

        let output = try ProcessRunner.oracle("pipeline/trades_oracle.py", ["ids", dir.appendingPathComponent("trades").path]).stdout
        let engines = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: [Int64]]])
        #expect(Set(engines.keys) == ["deltalake", "duckdb_delta_scan"])
        for (engine, series) in engines {
            for (venue, pair) in pairs {
                let ids = series["\(venue.rawValue)|\(asset.rawValue)|\(pair)"] ?? []
                let tape = simulator.streamTradesPrinted(pair: pair).filter { $0 >= (ids.first ?? 0) && $0 <= (ids.last ?? -1) }
                // Trades before the drops, the drops, the disconnect and trades after it.
                #expect(ids.count >= 25, "\(engine) \(pair): a covered range worth the name (\(ids.count) trades)")
                #expect(ids == tape, "\(engine) \(pair): every printed trade of \(ids.first ?? 0)...\(ids.last ?? 0) exactly once")
            }
        }
    }
}
