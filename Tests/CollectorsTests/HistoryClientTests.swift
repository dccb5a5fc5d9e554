import AsyncHTTPClient
import CryptoVizCore
import Foundation
import Logging
import MarketSimulator
import Testing
@testable import Collectors

/// The history clients against the real simulator over loopback HTTP.
@Suite(.serialized) struct HistoryClientTests {
    static let logger = Logger(label: "cryptoviz.test.history")

    static func transport(_ provider: ProviderID, limit: RateLimit, retry: RetryPolicy = .init(maxAttempts: 8, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500), maxRetryAfter: .seconds(30))) -> ProviderTransport {
        ProviderTransport(provider: provider, client: .shared, limiter: RateLimiter(limit: limit), retry: retry,
                          timeout: .seconds(10), defaultBackoff: .seconds(1), health: ProviderHealthBoard(), logger: logger)
    }

    static func series(_ pair: String, asset: String) -> HistorySeries {
        HistorySeries(asset: AssetID(asset), symbol: pair, quoteCurrency: "USDT", intervalMillis: 60_000)
    }

    @Test func pagesKlinesToTheEndOfTheRangeWithoutGapOrOverlap() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let client = BinanceKlineClient(baseURL: simulator.endpoints.binance, transport: Self.transport(.binance, limit: .binanceSpot))
        let until = currentUnixMillis() / 60_000 * 60_000 - 60_000
        let from = until - 2500 * 60_000
        var cursor = from
        var bars: [HistoryBar] = []
        var pages = 0
        while true {
            let page = try await client.page(Self.series("BTCUSDT", asset: "bitcoin"), fromMillis: cursor, untilMillis: until)
            bars += page.bars
            pages += 1
            guard let next = page.next else { break }
            cursor = next
        }
        await simulator.stop()
        #expect(pages == 3)
        #expect(bars.count == 2500)
        #expect(bars.first?.openTimeMillis == from && bars.last?.openTimeMillis == until - 60_000)
        #expect(zip(bars, bars.dropFirst()).allSatisfy { $1.openTimeMillis - $0.openTimeMillis == 60_000 && $0.close == $1.open })
    }

    @Test func truncatedAndFailedPagesAreFetchedAgainNotHalfRead() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults = try FaultPlan(spec: "binance:truncated#2,binance:5xx@0.3")
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let client = BinanceKlineClient(baseURL: simulator.endpoints.binance, transport: Self.transport(.binance, limit: .binanceSpot))
        let until = currentUnixMillis() / 60_000 * 60_000 - 60_000
        var bars: [HistoryBar] = []
        for n in 0..<5 {
            let from = until - Int64(5 - n) * 1000 * 60_000
            bars += try await client.page(Self.series("ETHUSDT", asset: "ethereum"), fromMillis: from, untilMillis: from + 1000 * 60_000).bars
        }
        let stats = await simulator.stats()
        await simulator.stop()
        #expect(bars.count == 5000)
        #expect(Set(bars.map(\.openTimeMillis)).count == 5000)
        #expect((stats.providers["binance"]?.requests ?? 0) > 5)
    }

    @Test func aRateLimitStormIsWaitedOutWithinTheLimitAndWithoutBan() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults = try FaultPlan(spec: "binance:429~0.5-4")
        configuration.rateLimits["binance"] = .init(capacity: 60, windowSeconds: 2)
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let transport = Self.transport(.binance, limit: RateLimit(capacity: 60, per: .seconds(2)))
        let client = BinanceKlineClient(baseURL: simulator.endpoints.binance, transport: transport)
        let until = currentUnixMillis() / 60_000 * 60_000 - 60_000
        let started = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var total = 0
                    for n in 0..<12 {
                        let from = until - Int64(worker * 12 + n + 1) * 100 * 60_000
                        total += try await client.klines(symbol: "BTCUSDT", interval: "1m", startTime: from, endTime: from + 100 * 60_000 - 1, limit: 100).count
                    }
                    return total
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        let stats = try #require(await simulator.stats().providers["binance"])
        await simulator.stop()
        #expect(count == 48 * 100)
        #expect(stats.statuses["429"] ?? 0 > 0, "the storm happened")
        #expect(stats.statuses["418"] == nil, "never banned: \(stats.statuses)")
        #expect(stats.maxWeight(inAnyWindowOf: 2) <= 60 + 2 * 4, "within the limit but for requests in flight: \(stats.maxWeight(inAnyWindowOf: 2))")
        #expect(elapsed > .seconds(3), "the storm was waited out")
    }

    @Test func coinGeckoRangeGivesHourlyBarsForAMonth() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let client = CoinGeckoRangeClient(baseURL: simulator.endpoints.coinGecko, key: nil,
                                          transport: Self.transport(.coinGecko, limit: .coinGeckoDemo))
        let until = currentUnixMillis() / 3_600_000 * 3_600_000
        let from = until - 30 * 86_400_000
        let series = HistorySeries(asset: "ethereum", symbol: "ethereum", quoteCurrency: "USD", intervalMillis: 3_600_000)
        let page = try await client.page(series, fromMillis: from, untilMillis: until)
        let short = try await client.page(series, fromMillis: until - 5 * 3_600_000, untilMillis: until)
        let daily = try await client.page(HistorySeries(asset: "ethereum", symbol: "ethereum", quoteCurrency: "USD", intervalMillis: 86_400_000),
                                          fromMillis: until / 86_400_000 * 86_400_000 - 200 * 86_400_000,
                                          untilMillis: until / 86_400_000 * 86_400_000)
        var missing: CollectorError?
        do { _ = try await client.page(HistorySeries(asset: "nope", symbol: "nope", quoteCurrency: "USD", intervalMillis: 3_600_000), fromMillis: from, untilMillis: until) } catch let e as CollectorError { missing = e }
        await simulator.stop()
        #expect(page.bars.count == 720 && page.next == nil)
        #expect(page.bars.first?.openTimeMillis == from)
        #expect(page.bars.allSatisfy { $0.marketCap ?? 0 > 0 && $0.open == $0.close && $0.quoteVolume > 0 })
        #expect(short.bars.count == 5, "a short range is asked as two days to stay hourly")
        #expect(daily.bars.count == 200)
        #expect(missing?.code == .requestRejected)
    }
}
