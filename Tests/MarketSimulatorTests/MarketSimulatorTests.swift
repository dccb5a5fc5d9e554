import Foundation
import Testing
@testable import MarketSimulator
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The simulator over real loopback HTTP, read with a client that knows nothing of it.
@Suite(.serialized) struct MarketSimulatorTests {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var json: Any?
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, json: try? JSONSerialization.jsonObject(with: data))
    }

    @Test func servesCoinGeckoMarketsWithPaging() async throws {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 300
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let base = "\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=250"
        let first = try await Self.get(base + "&page=1&price_change_percentage=1h,24h,7d")
        let second = try await Self.get(base + "&page=2")
        let byID = try await Self.get("\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd&ids=harmony,menlo-one")
        await simulator.stop()
        let page1 = try #require(first.json as? [[String: Any]])
        let page2 = try #require(second.json as? [[String: Any]])
        #expect(first.status == 200 && page1.count == 250 && page2.count == 50)
        #expect(page1[0]["id"] as? String == "bitcoin")
        #expect(page1[0]["symbol"] as? String == "btc")
        #expect(page1[0]["market_cap_rank"] as? Int == 1)
        #expect(page1[0]["last_updated"] as? String != nil)
        #expect(page2[0]["market_cap_rank"] as? Int == 251)
        #expect(page1.contains { $0["price_change_percentage_1h_in_currency"] is NSNull })
        #expect(Set((byID.json as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == ["harmony", "menlo-one"])
    }

    @Test func coinMarketCapChecksTheKeyAndReportsStatus() async throws {
        var configuration = SimulatorConfiguration()
        configuration.coinMarketCapKey = "secret"
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let url = "\(simulator.endpoints.coinMarketCap)/v1/cryptocurrency/listings/latest?start=1&limit=120&convert=USD"
        let missing = try await Self.get(url)
        let wrong = try await Self.get(url, headers: ["X-CMC_PRO_API_KEY": "nope"])
        let good = try await Self.get(url, headers: ["X-CMC_PRO_API_KEY": "secret"])
        await simulator.stop()
        func code(_ reply: Reply) -> Int? { ((reply.json as? [String: Any])?["status"] as? [String: Any])?["error_code"] as? Int }
        #expect(missing.status == 401 && code(missing) == 1002)
        #expect(wrong.status == 401 && code(wrong) == 1001)
        #expect(good.status == 200 && code(good) == 0)
        let data = try #require((good.json as? [String: Any])?["data"] as? [[String: Any]])
        #expect(data.count == 120)
        let usd = try #require((data[0]["quote"] as? [String: Any])?["USD"] as? [String: Any])
        #expect(usd["price"] is Double)
        #expect(data[0]["slug"] as? String == "bitcoin")
    }

    @Test func binanceSendsStringNumbersAndWeightHeader() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let reply = try await Self.get("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        await simulator.stop()
        let tickers = try #require(reply.json as? [[String: Any]])
        #expect(reply.headers["x-mbx-used-weight-1m"] == "80")
        let btc = try #require(tickers.first { $0["symbol"] as? String == "BTCUSDT" })
        #expect(btc["lastPrice"] is String)
        #expect(Double(btc["lastPrice"] as? String ?? "") ?? 0 > 1000)
        #expect(btc["closeTime"] is Int)
        #expect(tickers.contains { $0["symbol"] as? String == "ETHBTC" })
    }

    @Test func enforcesRateLimitsAndCountsEveryRequest() async throws {
        var configuration = SimulatorConfiguration()
        configuration.rateLimits["coingecko"] = .init(capacity: 3, windowSeconds: 60)
        let simulator = try await MarketSimulator.start(configuration: configuration)
        var statuses: [Int] = []
        for _ in 0..<5 {
            statuses.append(try await Self.get("\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd").status)
        }
        let stats = await simulator.stats()
        let endpoint = try await Self.get(simulator.endpoints.stats)
        await simulator.stop()
        #expect(statuses == [200, 200, 200, 429, 429])
        let coinGecko = try #require(stats.providers["coingecko"])
        #expect(coinGecko.requests == 5)
        #expect(coinGecko.statuses == ["200": 3, "429": 2])
        #expect(coinGecko.maxWeight(inAnyWindowOf: 60) == 5)
        let served = ((endpoint.json as? [String: Any])?["providers"] as? [String: Any])?["coingecko"] as? [String: Any]
        #expect(served?["requests"] as? Int == 5)
    }

    @Test func injectsFaultsByBurst() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults = try FaultPlan(spec: "binance:429#1,binance:malformed#2,coingecko:truncated#1")
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let first = try await Self.get("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        let second = try await Self.get("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        let third = try await Self.get("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        let truncated = try await Self.get("\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd")
        await simulator.stop()
        #expect(first.status == 429 && first.headers["retry-after"] != nil)
        #expect(second.status == 200 && second.json == nil)
        #expect(third.status == 200 && third.json is [Any])
        #expect(truncated.status == 200 && truncated.json == nil)
    }

    /// `stale`: the answer last served to the same request, byte for byte (same update times);
    /// another request (other page) is answered afresh, and without the rule every answer is new.
    @Test func staleFaultServesTheLastAnswerToTheSameRequestAgain() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults = try FaultPlan(spec: "coingecko:stale@1")
        let simulator = try await MarketSimulator.start(configuration: configuration)
        func body(_ url: String) async throws -> Data {
            try await URLSession.shared.data(from: try #require(URL(string: url))).0
        }
        let page1 = "\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd&per_page=10&page=1"
        let page2 = "\(simulator.endpoints.coinGecko)/coins/markets?vs_currency=usd&per_page=10&page=2"
        let first = try await body(page1)
        try await Task.sleep(for: .milliseconds(20))
        let again = try await body(page1)
        let other = try await body(page2)
        let binance = try await body("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        try await Task.sleep(for: .milliseconds(20))
        let binanceAgain = try await body("\(simulator.endpoints.binance)/api/v3/ticker/24hr")
        await simulator.stop()
        #expect(first == again, "the same request gets the same bytes")
        #expect(first.count > 100 && other != first, "another page is its own answer")
        #expect(binance != binanceAgain, "a provider without the rule answers afresh")
    }
}
