import CryptoVizCore
import Foundation
import MarketSimulator
import Testing
@testable import Collectors

/// Kraken's v2 ticker stream through `CollectorService` against the simulator's `/v2`
/// endpoint: in-band subscription of the watch list, ticks under the canonical ids.
@Suite(.serialized) struct KrakenStreamCollectionTests {
    @Test func streamedKrakenTicksCoverEveryWatchedListedCoinUnderItsCanonicalID() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 60
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.enabledProviders = [.coinGecko]
        configuration.streamProviders = [.kraken]
        configuration.streams[.kraken]?.baseURL = simulator.endpoints.krakenStreams
        configuration.topN = 15
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let expected = VenueCollectionTests.expected(simulator.universe.assets.prefix(15), on: .kraken)
        let run = Task { try await service.run(sink: { await sink.add($0) }) }
        let complete = await StreamCollectorTests.eventually(within: .seconds(10)) {
            Set(await sink.ticks(from: .kraken).map(\.asset)) == expected
        }
        // Two more updates, so the feed is seen to go on after the snapshot.
        let count = await sink.ticks(from: .kraken).count
        let flowing = await StreamCollectorTests.eventually(within: .seconds(5)) {
            await sink.ticks(from: .kraken).count >= count + 2 * expected.count
        }
        run.cancel()
        try await run.value
        await simulator.stop()
        let seen = Set(await sink.ticks(from: .kraken).map(\.asset.rawValue)).sorted()
        #expect(complete, "\(seen)")
        #expect(flowing)
        let ticks = await sink.ticks(from: .kraken)
        #expect(ticks.contains { $0.asset == "bitcoin" && $0.symbol == "BTC" })
        #expect(ticks.allSatisfy { $0.quoteCurrency == "USD" && $0.price > 0 && ($0.volume24h ?? 0) > 0 })
        let health = try #require(await service.streamHealth().first { $0.provider == .kraken })
        #expect(health.reconnects == 0 && health.connectionsOpened == 1)
        // Watched coins Kraken does not list were asked for and refused, one by one; nothing else went wrong.
        let unlisted = simulator.universe.assets.prefix(15).filter { $0.krakenPair == nil }.count
        #expect(health.malformedByReason == (unlisted == 0 ? [:] : ["refused": unlisted]))
    }

    @Test func withoutADirectoryAtStartTheStreamWaitsForTheWatchListThenSubscribes() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 40
        // CoinGecko fails its first 24 requests: for some 12 s (beyond the streams' 10 s wait for a directory) no listing.
        simulatorConfiguration.faults = try FaultPlan(spec: "coingecko:5xx#24")
        simulatorConfiguration.rateLimits["coingecko"] = SimulatedRateLimit(capacity: 1000, windowSeconds: 60)
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator, interval: .seconds(1))
        configuration.enabledProviders = [.coinGecko]
        configuration.providers[.coinGecko]?.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50))
        configuration.providers[.coinGecko]?.rateLimit = RateLimit(capacity: 100, per: .seconds(1))
        configuration.providers[.coinGecko]?.circuitBreaker = CircuitBreaker.Configuration(failureThreshold: 100)
        configuration.streamProviders = [.kraken]
        configuration.streams[.kraken]?.baseURL = simulator.endpoints.krakenStreams
        configuration.topN = 5
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let run = Task { try await service.run(sink: { await sink.add($0) }) }
        let arrived = await StreamCollectorTests.eventually(within: .seconds(30)) {
            await sink.ticks(from: .kraken).contains { $0.asset == "bitcoin" }
        }
        run.cancel()
        try await run.value
        let failures = await simulator.stats().providers["coingecko"]?.statuses["503"] ?? 0
        await simulator.stop()
        #expect(failures == 24, "the directory really was missing at start")
        #expect(arrived)
    }

    @Test func aRefusedSymbolIsDeadLetteredAndTheOthersFlow() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        var settings = StreamSettings.kraken
        settings.baseURL = simulator.endpoints.krakenStreams
        let collector = StreamCollector(provider: KrakenStreamProvider(baseURL: settings.baseURL), settings: settings,
                                        health: ProviderHealthBoard(), logger: StreamCollectorTests.logger)
        let log = StreamEventLog()
        let task = Task {
            try await collector.run(subscription: StreamSubscription(tickerSymbols: ["BTC", "NOPE", "ETH"])) { await log.add($0) }
        }
        let flowing = await StreamCollectorTests.eventually(within: .seconds(10)) { await log.quoteFrames.count >= 3 }
        task.cancel()
        try await task.value
        await simulator.stop()
        #expect(flowing)
        #expect(collector.deadLetters.counts == [.refused: 1])
        #expect(collector.deadLetters.recent.first?.detail.contains("Currency pair not supported NOPE/USD") == true)
        let symbols = Set(await log.quoteFrames.flatMap { $0.map(\.symbol) })
        #expect(symbols == ["BTC", "ETH"])
    }
}
