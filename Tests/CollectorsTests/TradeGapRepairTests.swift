import CryptoVizCore
import Foundation
import Logging
import MarketSimulator
import Testing
@testable import Collectors

/// Holes in streamed trade ids filled from Binance's `/api/v3/trades`, against the simulator:
/// the trades the collector delivers are counted against the simulator's own tape.
@Suite(.serialized) struct TradeGapRepairTests {
    static func start(_ simulator: MarketSimulator, watchdog: Duration = .seconds(5)) -> StreamCollectorTests.Running {
        let settings = StreamCollectorTests.settings(simulator, watchdog: watchdog)
        var configuration = CollectorConfiguration()
        configuration.providers[.binance]?.baseURL = simulator.endpoints.binance
        let board = ProviderHealthBoard()
        let transport = ProviderRegistry.transport(for: .binance, configuration: configuration, httpClient: .shared,
                                                   health: board, logger: StreamCollectorTests.logger)
        let collector = StreamCollector(
            provider: BinanceStreamProvider(baseURL: settings.baseURL), settings: settings, health: board,
            repair: ProviderRegistry.makeTradeRepair(.binance, configuration: configuration, transport: transport),
            logger: StreamCollectorTests.logger)
        let log = StreamEventLog()
        let task = Task { try await collector.run(subscription: StreamCollectorTests.btcTrades) { await log.add($0) } }
        return StreamCollectorTests.Running(collector: collector, log: log, task: task)
    }

    static func simulator(recentTrades: Int = 1000, faults: String = "") async throws -> MarketSimulator {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 20
        configuration.streams.recentTrades = recentTrades
        configuration.faults = try FaultPlan(spec: faults)
        configuration.slowDelaySeconds = 8
        return try await MarketSimulator.start(configuration: configuration)
    }

    /// Every trade the simulator printed from the first delivered id to the last one.
    static func printed(_ simulator: MarketSimulator, through ids: [Int64]) -> [Int64] {
        guard let first = ids.min(), let last = ids.max() else { return [] }
        return simulator.streamTradesPrinted(pair: "BTCUSDT").filter { $0 >= first && $0 <= last }
    }

    @Test func droppedTradesAreRepairedAndEveryPrintedTradeArrivesOnce() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(simulator)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.dropTrades(count: 5))
        let repaired = await StreamCollectorTests.eventually(within: .seconds(5)) { await running.health().tradesRepaired == 5 }
        try await Task.sleep(for: .milliseconds(300))
        try await running.stop()
        await simulator.stop()
        #expect(repaired)
        let health = await running.health()
        #expect(health.gapsFound == 1 && health.tradesUnfilled == 0 && health.reconnects == 0)
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count, "each trade once")
        #expect(ids.sorted() == Self.printed(simulator, through: ids), "every printed trade, none invented")
        let gap = try #require(running.collector.gaps.first)
        #expect(gap.missing == 5 && gap.filled == 5 && gap.unfilled == 0 && gap.reason == nil)
        let stats = await simulator.stats()
        #expect(stats.providers["binance"]?.requests == 1, "one REST call for the hole")
    }

    @Test func aReconnectsMissedTradesAreRepaired() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(simulator, watchdog: .seconds(1))
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        // A stall: the tape goes on for about a second that this client never receives.
        simulator.injectStreamFault(.stallOpenConnections)
        let back = await StreamCollectorTests.eventually(within: .seconds(6)) {
            let health = await running.health()
            return health.stalls == 1 && health.gapsFound >= 1 && health.trades > 0
        }
        try await Task.sleep(for: .milliseconds(500))
        try await running.stop()
        await simulator.stop()
        #expect(back)
        let health = await running.health()
        #expect(health.tradesRepaired >= 5 && health.tradesUnfilled == 0)
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count)
        #expect(ids.sorted() == Self.printed(simulator, through: ids))
    }

    @Test func whatTheVenueNoLongerHasIsRecordedAsAGap() async throws {
        // The simulator remembers only the last 3 trades: a 6-trade hole cannot be filled whole.
        let simulator = try await Self.simulator(recentTrades: 3)
        let running = Self.start(simulator)
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.dropTrades(count: 6))
        let recorded = await StreamCollectorTests.eventually(within: .seconds(5)) { await running.health().gapsFound == 1 }
        try await Task.sleep(for: .milliseconds(300))
        try await running.stop()
        await simulator.stop()
        #expect(recorded)
        let gap = try #require(running.collector.gaps.first)
        #expect(gap.missing == 6 && gap.filled + gap.unfilled == 6)
        #expect(gap.unfilled >= 4, "at most the 2 newest of the hole were still among the last 3 trades")
        #expect(gap.reason?.contains("older than") == true)
        let health = await running.health()
        #expect(health.tradesUnfilled == Int(gap.unfilled) && health.tradesRepaired == Int(gap.filled))
        let ids = await running.log.tradeIDs("BTCUSDT")
        let lost = Set(gap.fromID...gap.toID).subtracting(ids)
        #expect(lost.count == Int(gap.unfilled))
        #expect(Set(ids).union(lost) == Set(Self.printed(simulator, through: ids)), "delivered + recorded gap = the tape")
    }

    @Test func aSlowRepairIsAbandonedInsideTheWatchdogAndTheConnectionLives() async throws {
        // The first REST call hangs for 8 s; the watchdog is 2 s, the repair's bound 1 s.
        let simulator = try await Self.simulator(faults: "binance:slow#1")
        let running = Self.start(simulator, watchdog: .seconds(2))
        #expect(await StreamCollectorTests.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.dropTrades(count: 3))
        let recorded = await StreamCollectorTests.eventually(within: .seconds(6)) { await running.health().gapsFound == 1 }
        let after = await running.log.trades.count
        let flowing = await StreamCollectorTests.eventually(within: .seconds(5)) { await running.log.trades.count > after + 5 }
        try await running.stop()
        await simulator.stop()
        #expect(recorded && flowing)
        let gap = try #require(running.collector.gaps.first)
        #expect(gap.filled == 0 && gap.unfilled == 3 && gap.reason?.hasPrefix("repair failed") == true)
        let health = await running.health()
        #expect(health.stalls == 0 && health.reconnects == 0, "the hung repair did not cost the connection")
    }

    @Test func recentTradesBodyParsesAndAHalfUnderstoodOneFails() throws {
        let body = #"[{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]"#
        let trades = try BinanceRecentTrades.parse(Array(body.utf8), pair: "BNBUSDT")
        #expect(trades == [TradeEvent(provider: .binance, pair: "BNBUSDT", base: "BNB", quoteCurrency: "USDT", tradeID: 28457,
                                      price: 4.000001, quantity: 12, buyerIsMaker: true, tradeTimeMillis: 1_499_865_549_590,
                                      eventTimeMillis: 1_499_865_549_590)])
        #expect(throws: CollectorError.self) {
            try BinanceRecentTrades.parse(Array(#"[{"id":1,"price":"x","qty":"1","time":1,"isBuyerMaker":true}]"#.utf8), pair: "BNBUSDT")
        }
        #expect(throws: CollectorError.self) { try BinanceRecentTrades.parse(Array(#"{"code":-1121}"#.utf8), pair: "BNBUSDT") }
    }
}
