import CryptoVizCore
import Foundation
import Logging
import MarketSimulator
import Testing
import TestSupport
@testable import Collectors

/// What a stream collector delivered, in order.
actor StreamEventLog {
    private(set) var trades: [TradeEvent] = []
    private(set) var candles: [StreamCandle] = []
    private(set) var quoteFrames: [[SourceQuote]] = []

    func add(_ events: [StreamEvent]) {
        for event in events {
            switch event {
            case .quotes(let quotes): quoteFrames.append(quotes)
            case .trade(let trade): trades.append(trade)
            case .candle(let candle): candles.append(candle)
            }
        }
    }

    func tradeIDs(_ pair: String) -> [Int64] { trades.filter { $0.pair == pair }.map(\.tradeID) }
}

/// Binance streams collected from the simulator over real WebSocket connections on loopback,
/// with the simulator's stream faults: stalls, drops, close frames, malformed frames, rotation.
@Suite(.serialized) struct StreamCollectorTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.collectors.streams.test")
        logger.logLevel = .error
        return logger
    }()

    static func simulator(assets: Int = 60, pingInterval: Duration = .seconds(2)) async throws -> MarketSimulator {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = assets
        configuration.streams.pingInterval = pingInterval
        return try await MarketSimulator.start(configuration: configuration)
    }

    static func settings(_ simulator: MarketSimulator, watchdog: Duration = .seconds(5)) -> StreamSettings {
        var settings = StreamSettings(baseURL: simulator.endpoints.binanceStreams)
        settings.watchdog = watchdog
        settings.reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        settings.closeTimeout = .milliseconds(500)
        return settings
    }

    /// A running collector and what it delivered.
    struct Running {
        var collector: StreamCollector
        var log: StreamEventLog
        var task: Task<Void, any Error>
        var provider: ProviderID = .binance

        func stop() async throws {
            task.cancel()
            try await task.value
        }

        func health() async -> StreamHealth { await collector.health.streamHealth(of: provider) }
    }

    static func start(_ settings: StreamSettings, subscription: StreamSubscription) -> Running {
        let collector = StreamCollector(
            provider: BinanceStreamProvider(baseURL: settings.baseURL), settings: settings,
            health: ProviderHealthBoard(), logger: logger)
        let log = StreamEventLog()
        let task = Task { try await collector.run(subscription: subscription) { await log.add($0) } }
        return Running(collector: collector, log: log, task: task)
    }

    /// Polls `condition` until it holds or `limit` passes; returns whether it held.
    static func eventually(within limit: Duration, _ condition: () async -> Bool) async -> Bool {
        await TestSupport.eventually(within: limit, condition)
    }

    static let btcTrades = StreamSubscription(allTickers: false, tradeSymbols: ["BTC"], klineSymbols: [])

    @Test func deliversTickersTradesAndCandlesFromTheSimulator() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(Self.settings(simulator),
                                 subscription: StreamSubscription(tradeSymbols: ["BTC", "ETH"], klineSymbols: ["BTC"]))
        let arrived = await Self.eventually(within: .seconds(10)) {
            let log = running.log
            let btc = await log.tradeIDs("BTCUSDT").count, eth = await log.tradeIDs("ETHUSDT").count
            let quotes = await log.quoteFrames.count, candles = await log.candles.count
            return btc >= 10 && eth >= 10 && quotes > 0 && candles > 0
        }
        try await running.stop()
        await simulator.stop()
        #expect(arrived)
        let pairs = Set(simulator.universe.assets.compactMap(\.binancePair))
        let frame = try #require(await running.log.quoteFrames.first)
        #expect(Set(frame.map { $0.symbol + "USDT" }) == pairs)
        #expect(frame.allSatisfy { $0.quoteCurrency == "USDT" && $0.price > 0 })
        // One healthy connection: consecutive ids, each once.
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(ids == Array(ids[0]...ids[ids.count - 1]))
        let candle = try #require(await running.log.candles.first)
        #expect(candle.pair == "BTCUSDT" && candle.interval == "1m" && candle.bar.openTimeMillis % 60_000 == 0)
        let health = await running.health()
        #expect(health.reconnects == 0 && health.connectionsOpened == 1 && health.state == .stopped)
        // Every trade sent was delivered (the last ones may still have been in flight at stop).
        let sent = simulator.streamTradesSent().filter { $0.pair == "BTCUSDT" }.map(\.tradeID)
        #expect(Set(ids).isSubset(of: Set(sent)))
        #expect(ids.count >= sent.count - 5)
    }

    @Test func serverPingsAreAnsweredSoTheConnectionIsKept() async throws {
        // The simulator pings every 300 ms and closes a connection whose pong does not come back
        // before the next ping; ten periods on one connection prove the pongs.
        let simulator = try await Self.simulator(assets: 20, pingInterval: .milliseconds(300))
        let running = Self.start(Self.settings(simulator), subscription: Self.btcTrades)
        #expect(await Self.eventually(within: .seconds(10)) { await running.log.trades.count >= 3 })
        try await Task.sleep(for: .seconds(3))
        let health = await running.health()
        try await running.stop()
        await simulator.stop()
        #expect(health.connectionsOpened == 1 && health.reconnects == 0, "\(health)")
        #expect(simulator.streamConnections().opened == 1)
    }

    @Test func silentStallIsDetectedAndReplacedWithinTheWatchdog() async throws {
        let simulator = try await Self.simulator()
        let watchdog = Duration.seconds(1)
        let running = Self.start(Self.settings(simulator, watchdog: watchdog), subscription: Self.btcTrades)
        #expect(await Self.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        let clock = ContinuousClock()
        let injected = clock.now
        simulator.injectStreamFault(.stallOpenConnections)
        let before = await running.log.trades.count
        // Seen within 1.25 × watchdog; reconnect backoff ≤ 200 ms; the rest is loopback and the tape's 100 ms.
        let recovered = await Self.eventually(within: .seconds(6)) {
            let stalls = await running.health().stalls, trades = await running.log.trades.count
            return stalls >= 1 && trades > before + 3
        }
        let elapsed = clock.now - injected
        let health = await running.health()
        let serverSide = await Self.eventually(within: .seconds(5)) { simulator.streamConnections().open == 1 }
        try await running.stop()
        await simulator.stop()
        #expect(recovered)
        #expect(elapsed < watchdog * 1.25 + .seconds(2), "recovered after \(elapsed)")
        #expect(elapsed >= watchdog, "a stall cannot be declared before the watchdog period")
        #expect(health.stalls == 1 && health.reconnects == 1 && health.connectionsOpened == 2)
        #expect(serverSide, "the stalled connection was closed, not left open")
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count)
    }

    @Test(arguments: [StreamFault.dropOpenConnections, .closeOpenConnections])
    func forcedDisconnectReconnectsWithoutDuplicateTrades(fault: StreamFault) async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(Self.settings(simulator), subscription: Self.btcTrades)
        #expect(await Self.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        for round in 1...3 {
            let before = await running.log.trades.count
            simulator.injectStreamFault(fault)
            let recovered = await Self.eventually(within: .seconds(5)) {
                let reconnects = await running.health().reconnects, trades = await running.log.trades.count
                return reconnects >= round && trades > before + 3
            }
            #expect(recovered, "round \(round)")
        }
        try await running.stop()
        await simulator.stop()
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count, "no trade delivered twice")
        #expect(ids == ids.sorted())
        let sent = Set(simulator.streamTradesSent().map(\.tradeID))
        #expect(Set(ids).isSubset(of: sent))
        let health = await running.health()
        #expect(health.reconnects == 3 && health.stalls == 0 && health.connectionsOpened == 4)
    }

    @Test func rotationOverlapsConnectionsAndDropsTheirDuplicates() async throws {
        let simulator = try await Self.simulator()
        var settings = Self.settings(simulator)
        settings.maxConnectionAge = .milliseconds(1500)
        let running = Self.start(settings, subscription: Self.btcTrades)
        let rotated = await Self.eventually(within: .seconds(15)) {
            let health = await running.health()
            return health.rotations >= 3 && health.duplicatesDropped > 0 && health.openConnections == 1
        }
        try await running.stop()
        await simulator.stop()
        #expect(rotated)
        let health = await running.health()
        #expect(health.reconnects == 0, "a rotation is not a reconnect")
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count, "the overlap's duplicates were dropped")
        // The new connection opened before the old one closed: not one trade is missing.
        #expect(ids == Array(ids[0]...ids[ids.count - 1]))
        // Both connections carried the overlap: the simulator sent some trades twice.
        let sent = simulator.streamTradesSent().map(\.tradeID)
        #expect(sent.count > Set(sent).count)
    }

    @Test func malformedFrameIsDeadLetteredAndTheStreamGoesOn() async throws {
        let simulator = try await Self.simulator()
        let running = Self.start(Self.settings(simulator), subscription: Self.btcTrades)
        #expect(await Self.eventually(within: .seconds(10)) { await running.log.trades.count >= 5 })
        simulator.injectStreamFault(.malformedFrame)
        #expect(await Self.eventually(within: .seconds(5)) { running.collector.deadLetters.counts[.notJSON] == 1 })
        let after = await running.log.trades.count
        #expect(await Self.eventually(within: .seconds(5)) { await running.log.trades.count > after + 5 })
        try await running.stop()
        await simulator.stop()
        let health = await running.health()
        #expect(health.malformedByReason == ["not_json": 1])
        #expect(health.reconnects == 0 && health.connectionsOpened == 1, "the connection survived the bad frame")
        let letter = try #require(running.collector.deadLetters.recent.first)
        #expect(letter.reason == .notJSON && letter.payload.hasPrefix(#"{"stream":"!miniTicker@arr""#))
        #expect(letter.connection == "binance#0")
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(ids == Array(ids[0]...ids[ids.count - 1]), "no trade lost around the bad frame")
    }

    @Test func reconnectsStayInsideTheVenuesConnectionRateLimit() async throws {
        let simulator = try await Self.simulator(assets: 20)
        var settings = Self.settings(simulator)
        settings.connectionLimit = RateLimit(capacity: 3, per: .seconds(3))
        let running = Self.start(settings, subscription: Self.btcTrades)
        let clock = ContinuousClock()
        let started = clock.now
        // Drop every connection as soon as it opens, for 1.5 s: the client wants far more than 3.
        while clock.now - started < .milliseconds(1500) {
            simulator.injectStreamFault(.dropOpenConnections)
            try await Task.sleep(for: .milliseconds(50))
        }
        let openedInWindow = simulator.streamConnections().opened
        let resumed = await Self.eventually(within: .seconds(6)) { simulator.streamConnections().opened >= 4 }
        try await running.stop()
        await simulator.stop()
        #expect(openedInWindow <= 3, "\(openedInWindow) connections in 1.5 s against a limit of 3 per 3 s")
        #expect(openedInWindow >= 2, "the client did try to reconnect")
        #expect(resumed, "connections resume once the window moves on")
    }

    static func openFileDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    @Test func manyReconnectsLeakNoSocketTaskOrMemory() async throws {
        let simulator = try await Self.simulator(assets: 20)
        let idleDescriptors = try Self.openFileDescriptors()
        let running = Self.start(Self.settings(simulator), subscription: Self.btcTrades)
        #expect(await Self.eventually(within: .seconds(10)) { await running.log.trades.count >= 3 })
        // Warm up (event loop threads, first allocations) before taking the baselines.
        // Each fault only once the previous reconnect delivers trades again: a fault injected
        // while the new connection is still opening finds nothing to drop.
        for round in 1...5 {
            let opened = await running.health().connectionsOpened, trades = await running.log.trades.count
            simulator.injectStreamFault(.dropOpenConnections)
            let back = await Self.eventually(within: .seconds(5)) {
                let now = await running.health().connectionsOpened, count = await running.log.trades.count
                return now > opened && count > trades
            }
            #expect(back, "warm-up round \(round)")
        }
        #expect(await Self.eventually(within: .seconds(5)) { simulator.streamConnections().open == 1 })
        let connectedDescriptors = try Self.openFileDescriptors()
        let rss = try Self.residentBytes()
        let rounds = 100
        for round in 1...rounds {
            let opened = await running.health().connectionsOpened
            let trades = await running.log.trades.count
            simulator.injectStreamFault(round.isMultiple(of: 2) ? .dropOpenConnections : .closeOpenConnections)
            let back = await Self.eventually(within: .seconds(5)) {
                let now = await running.health().connectionsOpened, count = await running.log.trades.count
                return now > opened && count > trades
            }
            #expect(back, "round \(round)")
            if !back { break }
        }
        #expect(await Self.eventually(within: .seconds(5)) {
            simulator.streamConnections().open == 1 && (try? Self.openFileDescriptors()) == connectedDescriptors
        }, "descriptors \((try? Self.openFileDescriptors()) ?? -1) vs \(connectedDescriptors) while connected")
        let grown = try Self.residentBytes() - rss
        let health = await running.health()
        #expect(health.openConnections == 1)
        #expect(health.reconnects >= rounds + 5)
        try await running.stop()
        #expect(await Self.eventually(within: .seconds(5)) {
            simulator.streamConnections().open == 0 && (try? Self.openFileDescriptors()) == idleDescriptors
        }, "descriptors \((try? Self.openFileDescriptors()) ?? -1) vs \(idleDescriptors) before the collector started")
        await simulator.stop()
        #expect(grown < 32 << 20, "RSS grew by \(grown) bytes over \(rounds) reconnects")
        let ids = await running.log.tradeIDs("BTCUSDT")
        #expect(Set(ids).count == ids.count)
    }
}
