import Foundation
import Testing
@testable import MarketSimulator

/// The simulated Coinbase Exchange and Kraken over real loopback HTTP, read with a client that
/// knows nothing of the collectors.
@Suite(.serialized) struct VenueEndpointTests {
    typealias Reply = MarketSimulatorTests.Reply

    static func start(_ configure: (inout SimulatorConfiguration) throws -> Void = { _ in }) async throws -> MarketSimulator {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 150
        try configure(&configuration)
        return try await MarketSimulator.start(configuration: configuration)
    }

    @Test func universeListsSomeButNotAllCoinsOnEachVenue() {
        let universe = SimulatedUniverse(count: 300, seed: 42)
        let top = universe.assets.prefix(20)
        #expect(top[0].coinbaseProduct == "BTC-USD" && top[0].krakenPair == "XXBTZUSD")
        #expect(top[1].coinbaseProduct == "ETH-USD" && top[1].krakenPair == "XETHZUSD")
        #expect(top[2].coinbaseProduct == "USDT-USD" && top[2].krakenPair == "USDTZUSD")
        // Rank 4 is delisted on Coinbase: in the listing, not online.
        #expect(top[3].coinbaseProduct == nil)
        #expect(universe.otherCoinbaseProducts.contains { $0.base == top[3].symbol && $0.status == "delisted" })
        #expect(top.contains { $0.coinbaseProduct == nil } && top.contains { $0.krakenPair == nil })
        #expect(top.filter { $0.coinbaseProduct != nil }.count >= 12)
        #expect(top.filter { $0.krakenPair != nil }.count >= 12)
        // Only the dominant coin of a ticker is listed (harmony, not Menlo One).
        #expect(universe.assets.first { $0.id == "harmony" }?.krakenPair == "ONEUSD")
        #expect(universe.assets.first { $0.id == "menlo-one" }?.krakenPair == nil)
        #expect(universe.assets.dropFirst(SimulatedUniverse.coinbaseDepth).allSatisfy { $0.coinbaseProduct == nil })
    }

    @Test func coinbaseServesItsListingAndTickersInItsShapes() async throws {
        let simulator = try await Self.start()
        let base = simulator.endpoints.coinbase
        let products = try await MarketSimulatorTests.get("\(base)/products")
        let btc = try await MarketSimulatorTests.get("\(base)/products/BTC-USD/ticker")
        try await Task.sleep(for: .milliseconds(1100))
        let delisted = simulator.universe.assets[3].symbol
        let unknown = try await MarketSimulatorTests.get("\(base)/products/\(delisted)-USD/ticker")
        let eur = try await MarketSimulatorTests.get("\(base)/products/BTC-EUR/ticker")
        await simulator.stop()

        let listing = try #require(products.json as? [[String: Any]])
        let online = listing.filter { $0["quote_currency"] as? String == "USD" && $0["status"] as? String == "online" }
        #expect(Set(online.compactMap { $0["id"] as? String }) == Set(simulator.universe.assets.compactMap(\.coinbaseProduct)))
        #expect(listing.contains { $0["id"] as? String == "\(delisted)-USD" && $0["trading_disabled"] as? Bool == true })
        #expect(listing.contains { $0["quote_currency"] as? String == "EUR" })
        let ticker = try #require(btc.json as? [String: Any])
        #expect(btc.status == 200)
        for field in ["price", "size", "bid", "ask", "volume"] { #expect(ticker[field] is String, "\(field) is a string") }
        #expect(ticker["trade_id"] is Int)
        let time = try #require(ticker["time"] as? String)
        #expect(time.count == 27 && time.hasSuffix("Z"), "microseconds: \(time)")
        let price = Double(ticker["price"] as? String ?? "") ?? 0
        #expect(abs(price / simulator.universe.assets[0].initialPrice - 1) < 0.2)
        #expect(unknown.status == 404 && (unknown.json as? [String: Any])?["message"] as? String == "NotFound")
        #expect(eur.status == 404)
    }

    @Test func krakenKeysTickersByItsOwnPairNamesLegacyAndPlain() async throws {
        let simulator = try await Self.start()
        let url = "\(simulator.endpoints.kraken)/0/public/Ticker"
        let all = try await MarketSimulatorTests.get(url)
        try await Task.sleep(for: .milliseconds(1100))
        let one = try await MarketSimulatorTests.get(url + "?pair=XBTUSD")
        try await Task.sleep(for: .milliseconds(1100))
        let unknown = try await MarketSimulatorTests.get(url + "?pair=NOPEUSD")
        await simulator.stop()

        let envelope = try #require(all.json as? [String: Any])
        #expect((envelope["error"] as? [Any])?.isEmpty == true)
        let result = try #require(envelope["result"] as? [String: [String: Any]])
        for name in ["XXBTZUSD", "XETHZUSD", "USDTZUSD", "ONEUSD", "XXBTZEUR", "ZEURZUSD", "XBTUSDT"] {
            #expect(result[name] != nil, "\(name) listed")
        }
        let listed = Set(simulator.universe.assets.compactMap(\.krakenPair))
        #expect(listed.isSubset(of: Set(result.keys)))
        #expect(!result.keys.contains("BTCUSD") && !result.keys.contains("XBTUSD"), "bitcoin only under its legacy name")
        let btc = try #require(result["XXBTZUSD"])
        let last = try #require(btc["c"] as? [String])
        #expect(last.count == 2 && Double(last[0]) != nil)
        #expect((btc["v"] as? [String])?.count == 2 && (btc["p"] as? [String])?.count == 2 && btc["o"] is String)
        #expect(Set(((one.json as? [String: Any])?["result"] as? [String: Any])?.keys.map { $0 } ?? []) == ["XXBTZUSD"])
        #expect(unknown.status == 200)
        #expect((unknown.json as? [String: Any])?["error"] as? [String] == ["EQuery:Unknown asset pair"])
    }

    @Test func rateLimitsAreCountedAndAnsweredInEachVenuesShape() async throws {
        let simulator = try await Self.start()
        var coinbase: [Reply] = []
        for _ in 0..<12 { coinbase.append(try await MarketSimulatorTests.get("\(simulator.endpoints.coinbase)/products/BTC-USD/ticker")) }
        let first = try await MarketSimulatorTests.get("\(simulator.endpoints.kraken)/0/public/Ticker")
        let second = try await MarketSimulatorTests.get("\(simulator.endpoints.kraken)/0/public/Ticker")
        let stats = await simulator.stats()
        await simulator.stop()

        // 10 requests per second at Coinbase; the 11th and 12th within the second are refused.
        #expect(coinbase.prefix(10).allSatisfy { $0.status == 200 })
        let refused = coinbase.filter { $0.status == 429 }
        #expect(refused.count == 2)
        #expect(refused.allSatisfy { ($0.json as? [String: Any])?["message"] as? String == "Public rate limit exceeded" })
        #expect(refused.allSatisfy { $0.headers["retry-after"] == nil })
        // Kraken: one call per second, refused inside an HTTP 200 as the real API does.
        #expect((first.json as? [String: Any])?["result"] != nil)
        #expect(second.status == 200)
        #expect((second.json as? [String: Any])?["error"] as? [String] == ["EAPI:Rate limit exceeded"])
        #expect(stats.providers["coinbase"]?.requests == 12 && stats.providers["coinbase"]?.statuses["429"] == 2)
        #expect(stats.providers["kraken"]?.requests == 2)
        #expect(stats.providers["kraken"]?.limit == SimulatedRateLimit(capacity: 1, windowSeconds: 1))
    }

    @Test func faultsApplyToTheNewVenues() async throws {
        let simulator = try await Self.start { $0.faults = try FaultPlan(spec: "coinbase:5xx#1,kraken:5xx#1,coinbase:missing~0-60,kraken:missing~0-60") }
        let base = simulator.endpoints.coinbase
        let coinbaseDown = try await MarketSimulatorTests.get("\(base)/products/BTC-USD/ticker")
        let coinbaseMissing = try await MarketSimulatorTests.get("\(base)/products/BTC-USD/ticker")
        let krakenDown = try await MarketSimulatorTests.get("\(simulator.endpoints.kraken)/0/public/Ticker")
        try await Task.sleep(for: .milliseconds(1100))
        let krakenMissing = try await MarketSimulatorTests.get("\(simulator.endpoints.kraken)/0/public/Ticker")
        await simulator.stop()

        #expect(coinbaseDown.status == 503)
        #expect(coinbaseMissing.status == 200 && (coinbaseMissing.json as? [String: Any])?["price"] == nil)
        #expect(krakenDown.status == 200)
        #expect((krakenDown.json as? [String: Any])?["error"] as? [String] == ["EService:Unavailable"])
        let tickers = try #require((krakenMissing.json as? [String: Any])?["result"] as? [String: [String: Any]])
        let withoutLast = tickers.values.filter { $0["c"] == nil }.count
        #expect(withoutLast > 0 && withoutLast < tickers.count)
    }
}
