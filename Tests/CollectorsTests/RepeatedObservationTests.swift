import Collectors
import CryptoVizCore
import Foundation
import MarketSimulator
import Testing

/// One observation is one tick: a poll answered from a cache (the same update times again) is
/// not handed on a second time, and the drop is counted on the provider's health.
@Suite(.serialized) struct RepeatedObservationTests {
    @Test func aCachedAnswerIsNotDeliveredTwice() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 30
        // After its first answer, CoinGecko serves that answer again to every poll.
        simulatorConfiguration.faults = try FaultPlan(spec: "coingecko:stale@1")
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator, interval: .seconds(1))
        configuration.enabledProviders = [.coinGecko]
        configuration.providers[.coinGecko]?.rateLimit = RateLimit(capacity: 100, per: .seconds(1))
        configuration.topN = 10
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let run = Task { try await service.run(sink: { await sink.add($0) }) }
        let repeated = await StreamCollectorTests.eventually(within: .seconds(10)) {
            (await service.health().first { $0.provider == .coinGecko }?.repeatsDropped ?? 0) >= 20
        }
        run.cancel()
        try await run.value
        let requests = await simulator.stats().providers["coingecko"]?.requests ?? 0
        await simulator.stop()

        let ticks = await sink.ticks(from: .coinGecko)
        let health = try #require(await service.health().first { $0.provider == .coinGecko })
        #expect(repeated, "two polls answered from the cache: \(health.repeatsDropped) repeats dropped, \(requests) requests")
        #expect(ticks.count == 10, "the first answer's ten coins, once: \(ticks.count) ticks")
        #expect(Set(ticks.map(\.eventID)).count == ticks.count, "no observation twice")
        #expect(health.repeatsDropped % 10 == 0 && health.lastTickCount == 10, "\(health)")
    }
}
