import AsyncHTTPClient
import CryptoVizCore
import Logging
import MarketSimulator
import Testing
@testable import Collectors

/// Gathers what the service hands to its sink.
actor TickSink {
    private(set) var ticks: [Tick] = []
    func add(_ batch: [Tick]) { ticks += batch }
    func ticks(from provider: ProviderID) -> [Tick] { ticks.filter { $0.source == provider } }
}

/// End-to-end: the real collectors against the in-process simulator over loopback HTTP.
@Suite(.serialized) struct CollectorServiceTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.collectors.test")
        logger.logLevel = .warning
        return logger
    }()

    /// Every provider pointed at `simulator`; CoinGecko, CoinMarketCap and Binance enabled (the
    /// venue tests enable Coinbase and Kraken themselves: Coinbase asks once per product).
    static func configuration(for simulator: MarketSimulator, interval: Duration = .seconds(30)) -> CollectorConfiguration {
        var configuration = CollectorConfiguration()
        configuration.coinMarketCapKey = "test-key"
        configuration.enabledProviders = [.coinGecko, .coinMarketCap, .binance]
        configuration.providers[.coinGecko]?.baseURL = simulator.endpoints.coinGecko
        configuration.providers[.coinMarketCap]?.baseURL = simulator.endpoints.coinMarketCap
        configuration.providers[.binance]?.baseURL = simulator.endpoints.binance
        configuration.providers[.coinbase]?.baseURL = simulator.endpoints.coinbase
        configuration.providers[.kraken]?.baseURL = simulator.endpoints.kraken
        configuration.setInterval(interval)
        return configuration
    }

    @Test func collectOnceYieldsConsistentCanonicalIdsFromAllThreeProviders() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 300
        simulatorConfiguration.coinMarketCapKey = "test-key"
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = Self.configuration(for: simulator)
        configuration.topN = 150
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: Self.logger)
        let sink = TickSink()
        let reports = try await service.collectOnce { await sink.add($0) }
        await simulator.stop()

        #expect(reports.count == 3)
        #expect(reports.allSatisfy { $0.error == nil })
        let truth = Dictionary(uniqueKeysWithValues: simulator.universe.assets.map { ($0.id, $0) })
        var ids: [ProviderID: Set<AssetID>] = [:]
        let coinGecko = await sink.ticks(from: .coinGecko)
        let reference = Dictionary(uniqueKeysWithValues: coinGecko.map { ($0.asset, $0.price) })
        for provider in [ProviderID.coinGecko, .coinMarketCap, .binance] {
            let ticks = await sink.ticks(from: provider)
            #expect(ticks.count >= 100, "\(provider) delivered \(ticks.count)")
            ids[provider] = Set(ticks.map(\.asset))
            let validator = TickValidator()
            for tick in ticks {
                #expect(validator.rejection(for: tick, nowMillis: currentUnixMillis()) == nil)
                // The canonical id names the same simulated coin: same ticker, same price path.
                let asset = try #require(truth[tick.asset.rawValue])
                #expect(tick.symbol == asset.symbol)
                let price = try #require(reference[tick.asset])
                // Binance prints 8 decimals: allow that rounding for sub-microdollar coins.
                #expect(abs(tick.price - price) <= max(0.01 * price, 1e-8), "\(provider) \(tick.asset): \(tick.price) vs \(price)")
            }
        }
        let common = ids[.coinGecko]!.intersection(ids[.coinMarketCap]!).intersection(ids[.binance]!)
        #expect(common.count >= 100)
        #expect(common.contains("harmony"))
        #expect(await sink.ticks(from: .binance).allSatisfy { $0.quoteCurrency == "USDT" })
        // Menlo One's CMC record shares the ticker ONE and matches neither slug nor name: skipped, counted.
        let cmcReport = try #require(reports.first { $0.provider == .coinMarketCap })
        #expect(cmcReport.unresolved["ambiguous_symbol", default: 0] >= 1)
        #expect(!ids[.coinMarketCap]!.contains("menlo-one"))
        let binanceReport = try #require(reports.first { $0.provider == .binance })
        #expect(binanceReport.ignored >= 3)
        #expect(binanceReport.unresolved["unknown_symbol", default: 0] >= 1)
    }

    @Test func coinMarketCapWithoutKeyIsDisabledNotFatal() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        var configuration = Self.configuration(for: simulator)
        configuration.coinMarketCapKey = nil
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: Self.logger)
        let sink = TickSink()
        let reports = try await service.collectOnce { await sink.add($0) }
        await simulator.stop()
        #expect(Set(reports.map(\.provider)) == [.coinGecko, .binance])
        let cmc = try #require(await service.health().first { $0.provider == .coinMarketCap })
        #expect(!cmc.enabled)
        #expect(cmc.disabledReason?.contains("CMC_API_KEY") == true)
        #expect(await sink.ticks(from: .binance).count >= 80)
    }

    @Test func rateLimitsHoldThroughA429StormAndCollectionRecovers() async throws {
        let window = 2.0
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.rateLimits = [
            "coingecko": .init(capacity: 4, windowSeconds: window),
            "coinmarketcap": .init(capacity: 4, windowSeconds: window),
            "binance": .init(capacity: 400, windowSeconds: window),
        ]
        simulatorConfiguration.retryAfterSeconds = 1
        // CoinGecko first (the others wait for its listing), then the other two.
        simulatorConfiguration.faults = try FaultPlan(spec: "coingecko:429~0-3,coinmarketcap:429~0-6,binance:429~0-6")
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = Self.configuration(for: simulator, interval: .seconds(1))
        configuration.coinMarketCapKey = "any"
        for (provider, capacity) in [(ProviderID.coinGecko, 4), (.coinMarketCap, 4), (.binance, 400)] {
            configuration.providers[provider]?.rateLimit = RateLimit(capacity: capacity, per: .seconds(2))
            configuration.providers[provider]?.defaultBackoff = .seconds(1)
            configuration.providers[provider]?.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
            configuration.providers[provider]?.circuitBreaker = .init(failureThreshold: 3, cooldown: .seconds(1))
        }
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: Self.logger)
        let sink = TickSink()
        let started = currentUnixMillis()
        let run = Task { try await service.run { await sink.add($0) } }
        try await Task.sleep(for: .seconds(11))
        run.cancel()
        try await run.value
        let stats = await simulator.stats()
        await simulator.stop()

        for (name, capacity) in [("coingecko", 4), ("coinmarketcap", 4), ("binance", 400)] {
            let entry = try #require(stats.providers[name])
            #expect(entry.statuses["429", default: 0] >= 1, "\(name) saw no storm")
            #expect(entry.maxWeight(inAnyWindowOf: window) <= capacity, "\(name) exceeded its limit")
        }
        for provider in [ProviderID.coinGecko, .coinMarketCap, .binance] {
            let late = await sink.ticks(from: provider).filter { $0.collectedTimeMillis > started + 6_000 }
            #expect(!late.isEmpty, "\(provider) did not recover after the storm")
        }
        let health = await service.health()
        #expect(health.allSatisfy { $0.errorsByKind["rate_limited", default: 0] + $0.rateLimitWaits >= 1 })
    }

    @Test(arguments: ["binance:slow@1", "coinmarketcap:malformed@1", "binance:5xx@1"])
    func oneBrokenProviderDoesNotDelayTheOthers(faults: String) async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.faults = try FaultPlan(spec: faults)
        simulatorConfiguration.slowDelaySeconds = 4
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = Self.configuration(for: simulator, interval: .seconds(1))
        let broken: ProviderID = faults.hasPrefix("binance") ? .binance : .coinMarketCap
        for provider in [ProviderID.coinGecko, .coinMarketCap, .binance] {
            // The broken provider may hold a poll for 2 × 2 s, most of the run, so the
            // healthy ones can only deliver several rounds if nothing waits on it.
            configuration.providers[provider]?.requestTimeout = provider == broken ? .seconds(2) : .milliseconds(500)
            configuration.providers[provider]?.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(50), maxDelay: .milliseconds(100))
        }
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: Self.logger)
        let sink = TickSink()
        let run = Task { try await service.run { await sink.add($0) } }
        try await Task.sleep(for: .milliseconds(6_500))
        run.cancel()
        try await run.value
        await simulator.stop()

        for provider in [ProviderID.coinGecko, .coinMarketCap, .binance] where provider != broken {
            let ticks = await sink.ticks(from: provider)
            // Polls land on distinct one-second grid slots: count the rounds that delivered. A
            // stalled provider would block at most one round per timeout; on a loaded machine a
            // slot may be skipped, so ask for three of the six.
            let rounds = Set(ticks.map { $0.collectedTimeMillis / 1000 })
            #expect(rounds.count >= 3, "\(provider) delivered in only \(rounds.count) rounds")
        }
        #expect(await sink.ticks(from: broken).isEmpty)
        let health = try #require(await service.health().first { $0.provider == broken })
        #expect(health.successes == 0)
        #expect(!health.errorsByKind.isEmpty)
        #expect(health.lastError != nil)
    }

    @Test func apiKeysNeverReachLogsOrErrorsAndFailuresAreLoggedSparingly() async throws {
        let secret = "sk-live-SECRET-4242"
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.coinMarketCapKey = "the-right-key"
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = Self.configuration(for: simulator)
        configuration.coinMarketCapKey = secret
        configuration.enabledProviders = [.coinGecko, .coinMarketCap]
        let logs = LogStore()
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: logs.logger())
        var errors: [CollectorError] = []
        for _ in 0..<4 {
            let reports = try await service.collectOnce { _ in }
            errors += reports.compactMap(\.error)
        }
        await simulator.stop()
        #expect(errors.count == 4)
        #expect(errors.allSatisfy { $0.code == .unauthorized && $0.message.contains("1001") })
        let health = try #require(await service.health().first { $0.provider == .coinMarketCap })
        #expect(health.errorsByKind["unauthorized"] == 4)
        for text in errors.map(\.description) + [health.lastError ?? ""] + logs.all {
            #expect(!text.contains(secret))
        }
        // Failures 1, 2 and 4 are logged; 3 is not (powers of two only).
        #expect(logs.all.filter { $0.contains("poll failed") && $0.contains("coinmarketcap") }.count == 3)
    }
}
