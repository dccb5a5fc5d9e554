import CryptoVizCore
import Foundation
import Logging
import MarketSimulator
import Testing
@testable import Collectors

/// Coinbase Exchange's feed (`ticker` + `heartbeat`) against the simulator's `/ws-feed` over
/// real WebSocket connections: ticks under canonical ids, sequence holes, trade-id holes filled
/// from `/products/{id}/trades`, and the stream faults. Delivered trades are counted against
/// the simulator's own tape.
@Suite(.serialized) struct CoinbaseStreamCollectionTests {
    static func simulator(assets: Int = 20, recentTrades: Int = 1000) async throws -> MarketSimulator {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = assets
        // One match per product every 100 ms, so a fault test sees many trades quickly.
        configuration.streams.tickerInterval = .milliseconds(100)
        configuration.streams.recentTrades = recentTrades
        configuration.streams.pingInterval = .seconds(2)
        return try await MarketSimulator.start(configuration: configuration)
    }

    static func start(_ simulator: MarketSimulator, products: [String] = ["BTC"], watchdog: Duration = .seconds(5)) -> StreamCollectorTests.Running {
        var settings = StreamSettings.coinbase
        settings.baseURL = simulator.endpoints.coinbaseStreams
        settings.watchdog = watchdog
        settings.reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        settings.closeTimeout = .milliseconds(500)
        settings.tradeSymbols = ["BTC"]
        var configuration = CollectorConfiguration()
        configuration.providers[.coinbase]?.baseURL = simulator.endpoints.coinbase
        let board = ProviderHealthBoard()
        let transport = ProviderRegistry.transport(for: .coinbase, configuration: configuration, httpClient: .shared,
                                                   health: board, logger: StreamCollectorTests.logger)
        let collector = StreamCollector(
            provider: CoinbaseStreamProvider(baseURL: settings.baseURL, tradeSymbols: settings.tradeSymbols),
            settings: settings, health: board,
            repair: ProviderRegistry.makeTradeRepair(.coinbase, configuration: configuration, transport: transport),
            logger: StreamCollectorTests.logger)
        let log = StreamEventLog()
        let subscription = StreamSubscription(allTickers: false, tickerSymbols: products, tradeSymbols: ["BTC"])
        let task = Task { try await collector.run(subscription: subscription) { await log.add($0) } }
        return StreamCollectorTests.Running(collector: collector, log: log, task: task, provider: .coinbase)
    }

    /// Every match the simulator printed on BTC-USD from the first delivered id to the last one.
    static func printed(_ simulator: MarketSimulator, through ids: [Int64]) -> [Int64] {
        guard let first = ids.min(), let last = ids.max() else { return [] }
        return simulator.streamTradesPrinted(pair: "BTC-USD").filter { $0 >= first && $0 <= last }
    }

    @Test func streamedCoinbaseTicksCoverEveryWatchedListedCoinUnderItsCanonicalID() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 60
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.enabledProviders = [.coinGecko]
        configuration.streamProviders = [.coinbase]
        configuration.streams[.coinbase]?.baseURL = simulator.endpoints.coinbaseStreams
        configuration.topN = 15
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let expected = VenueCollectionTests.expected(simulator.universe.assets.prefix(15), on: .coinbase)
        let run = Task { try await service.run(sink: { await sink.add($0) }) }
        let complete = await StreamCollectorTests.eventually(within: .seconds(10)) {
            Set(await sink.ticks(from: .coinbase).map(\.asset)) == expected
        }
        run.cancel()
        try await run.value
        await simulator.stop()
        let ticks = await sink.ticks(from: .coinbase)
        #expect(complete, "\(Set(ticks.map(\.asset.rawValue)).sorted())")
        #expect(ticks.contains { $0.asset == "bitcoin" && $0.symbol == "BTC" })
        #expect(ticks.allSatisfy { $0.quoteCurrency == "USD" && $0.price > 0 && ($0.volume24h ?? 0) > 0 && $0.change24h != nil })
        let health = try #require(await service.streamHealth().first { $0.provider == .coinbase })
        #expect(health.reconnects == 0 && health.connectionsOpened == 1)
        // Watched coins Coinbase does not list were refused one by one (one subscribe message each).
        let unlisted = simulator.universe.assets.prefix(15).filter { $0.coinbaseProduct == nil }.count
        #expect(unlisted > 0)
        #expect(health.malformedByReason == ["refused": unlisted])
        #expect(health.sequenceGaps == 0 && health.gapsFound == 0)
    }

    @Test func droppedMessagesAreSequenceHolesAndTheirTradesAreFilledFromREST() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(simulator)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.dropTrades(count: 4))
        let repaired = await StreamCollectorTests.eventually(within: .seconds(5)) { await running.health().tradesRepaired == 4 }
        let after = await running.log.trades.count
        #expect(await StreamCollectorTests.eventually(within: .seconds(5)) { await running.log.trades.count > after + 5 })
        try await running.stop()
        await simulator.stop()
        #expect(repaired)
        let health = await running.health()
        // The feed drops BTC-USD's next 4 tickers, one per beat; each beat's heartbeat shows its
        // hole at once (sequence and last trade id), so 4 holes of one message each.
        #expect(health.sequenceGaps == 4 && health.messagesMissed == 4, "\(health)")
        #expect(health.gapsFound == 4 && health.tradesUnfilled == 0 && health.reconnects == 0)
        let ids = await running.log.tradeIDs("BTC-USD")
        #expect(Set(ids).count == ids.count, "each trade once")
        #expect(ids.sorted() == Self.printed(simulator, through: ids), "every printed trade, none invented")
        let trade = try #require(await running.log.trades.first)
        #expect(trade.provider == .coinbase && trade.base == "BTC" && trade.quoteCurrency == "USD" && trade.quantity > 0)
    }

    @Test func silentStallIsReplacedAndTheMissedTradesAreRepaired() async throws {
        let simulator = try await Self.simulator()
        let watchdog = Duration.seconds(1)
        let running = Self.start(simulator, watchdog: watchdog)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        let clock = ContinuousClock()
        let injected = clock.now
        simulator.injectStreamFault(.stallOpenConnections)
        let before = await running.log.trades.count
        let recovered = await StreamCollectorTests.eventually(within: .seconds(6)) {
            let health = await running.health()
            let trades = await running.log.trades.count
            return health.stalls == 1 && health.gapsFound >= 1 && trades > before + 12
        }
        let elapsed = clock.now - injected
        try await Task.sleep(for: .milliseconds(300))
        try await running.stop()
        await simulator.stop()
        #expect(recovered)
        #expect(elapsed < watchdog * 1.25 + .seconds(2), "recovered after \(elapsed)")
        let health = await running.health()
        #expect(health.reconnects == 1 && health.connectionsOpened == 2)
        #expect(health.sequenceGaps >= 1 && health.tradesUnfilled == 0)
        let ids = await running.log.tradeIDs("BTC-USD")
        #expect(Set(ids).count == ids.count)
        #expect(ids.sorted() == Self.printed(simulator, through: ids), "the stalled second is filled from REST")
    }

    @Test(arguments: [StreamFault.dropOpenConnections, .closeOpenConnections])
    func forcedDisconnectLosesNoTradeAndDeliversNoneTwice(fault: StreamFault) async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(simulator)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        for round in 1...3 {
            let before = await running.log.trades.count
            simulator.injectStreamFault(fault)
            let recovered = await StreamCollectorTests.eventually(within: .seconds(5)) {
                let reconnects = await running.health().reconnects, trades = await running.log.trades.count
                return reconnects >= round && trades > before + 3
            }
            #expect(recovered, "round \(round)")
        }
        try await running.stop()
        await simulator.stop()
        let ids = await running.log.tradeIDs("BTC-USD")
        #expect(Set(ids).count == ids.count, "no trade delivered twice")
        #expect(ids.sorted() == Self.printed(simulator, through: ids), "every trade of the reconnects' windows repaired")
        let health = await running.health()
        #expect(health.reconnects == 3 && health.stalls == 0 && health.connectionsOpened == 4)
    }

    @Test func malformedFrameIsDeadLetteredAndTheFeedGoesOn() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(simulator)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.malformedFrame)
        #expect(await StreamCollectorTests.eventually(within: .seconds(5)) { running.collector.deadLetters.counts[.notJSON] == 1 })
        let after = await running.log.trades.count
        #expect(await StreamCollectorTests.eventually(within: .seconds(5)) { await running.log.trades.count > after + 5 })
        try await running.stop()
        await simulator.stop()
        let health = await running.health()
        #expect(health.malformedByReason == ["not_json": 1])
        #expect(health.reconnects == 0 && health.connectionsOpened == 1)
        let letter = try #require(running.collector.deadLetters.recent.first)
        #expect(letter.connection == "coinbase#0" && letter.payload.hasPrefix(#"{"type":"ticker""#))
        let ids = await running.log.tradeIDs("BTC-USD")
        #expect(ids == Array(ids[0]...ids[ids.count - 1]), "no trade lost around the bad frame")
    }

    @Test func aClientThatNeverSubscribesIsDisconnectedAfterFiveSeconds() async throws {
        let simulator = try await Self.simulator()
        var settings = StreamSettings.coinbase
        settings.baseURL = simulator.endpoints.coinbaseStreams
        settings.watchdog = .seconds(30)
        settings.reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .seconds(30), maxDelay: .seconds(30))
        // A plan with no subscribe message: what a client that forgets to subscribe looks like.
        let plan = StreamConnectionPlan(label: "coinbase#0", url: settings.baseURL, streams: [])
        let board = ProviderHealthBoard()
        let supervisor = StreamSupervisor(provider: .coinbase, plan: plan, settings: settings, health: board,
                                          connectionLimiter: RateLimiter(limit: settings.connectionLimit, slack: .zero),
                                          logger: StreamCollectorTests.logger) { _ in }
        let task = Task { try await supervisor.run() }
        let clock = ContinuousClock()
        let started = clock.now
        let closed = await StreamCollectorTests.eventually(within: .seconds(9)) { await board.streamHealth(of: .coinbase).reconnects == 1 }
        let elapsed = clock.now - started
        task.cancel()
        try await task.value
        await simulator.stop()
        #expect(closed)
        #expect(elapsed >= .seconds(5) && elapsed < .seconds(7), "closed after \(elapsed)")
    }
}

/// A streamed venue is polled only while its stream does not deliver.
@Suite(.serialized) struct StreamedVenuePollingTests {
    static func run(streamURL: (MarketSimulator) -> String) async throws -> (whileStreaming: Int, ticks: Int, simulator: MarketSimulator) {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 20
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator, interval: .seconds(1))
        configuration.enabledProviders = [.coinGecko, .coinbase]
        configuration.providers[.coinGecko]?.rateLimit = RateLimit(capacity: 100, per: .seconds(1))
        configuration.streamProviders = [.coinbase]
        configuration.streams[.coinbase]?.baseURL = streamURL(simulator)
        configuration.streams[.coinbase]?.reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        configuration.topN = 5
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let run = Task { try await service.run(sink: { await sink.add($0) }) }
        // Let the first poll (before the stream opened) and the stream's first frames pass.
        _ = await StreamCollectorTests.eventually(within: .seconds(10)) { await sink.ticks(from: .coinbase).count >= 10 }
        try await Task.sleep(for: .seconds(1))
        let before = await simulator.stats().providers["coinbase"]?.requests ?? 0
        try await Task.sleep(for: .seconds(3))
        let after = await simulator.stats().providers["coinbase"]?.requests ?? 0
        let ticks = await sink.ticks(from: .coinbase).count
        run.cancel()
        try await run.value
        await simulator.stop()
        return (after - before, ticks, simulator)
    }

    @Test func pollsPauseWhileTheStreamDelivers() async throws {
        let result = try await Self.run { $0.endpoints.coinbaseStreams }
        #expect(result.ticks >= 10)
        #expect(result.whileStreaming == 0, "\(result.whileStreaming) Coinbase REST requests in 3 s of streaming")
    }

    @Test func pollsGoOnWhileTheStreamCannotConnect() async throws {
        // A path the simulator refuses to upgrade: the stream never opens.
        let result = try await Self.run { $0.endpoints.coinbaseStreams.replacingOccurrences(of: "/ws-feed", with: "/nowhere") }
        #expect(result.ticks >= 10, "polled ticks still arrive")
        #expect(result.whileStreaming >= 3, "\(result.whileStreaming) Coinbase REST requests in 3 s: the poller runs every second")
    }
}
