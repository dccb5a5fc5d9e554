import Foundation
import Testing
@testable import MarketSimulator

/// `/api/v3/klines` and `/coins/{id}/market_chart/range` over real loopback HTTP.
@Suite(.serialized) struct HistoryEndpointTests {
    typealias Reply = MarketSimulatorTests.Reply
    static func get(_ url: String) async throws -> Reply { try await MarketSimulatorTests.get(url) }

    @Test func klinesHaveBinancesShapeAndLimits() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let base = simulator.endpoints.binance
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = (now - 2 * 86_400_000) / 60_000 * 60_000 + 7  // not on a boundary: the next minute comes first
        let page = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=\(start)&limit=1000")
        let second = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=\(start)&endTime=\(start + 10 * 60_000)")
        let hourly = try await Self.get("\(base)/api/v3/klines?symbol=ETHUSDT&interval=1h&startTime=\(start)&limit=5")
        let unknown = try await Self.get("\(base)/api/v3/klines?symbol=NOPEUSDT&interval=1m")
        let tooMany = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1001")
        let badInterval = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=7m")
        let latest = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=3")
        await simulator.stop()

        let klines = try #require(page.json as? [[Any]])
        #expect(page.status == 200 && klines.count == 1000)
        let first = klines[0]
        #expect(first.count == 12)
        #expect((first[0] as? Int).map(Int64.init) == start - 7 + 60_000)
        #expect((first[6] as? Int).map(Int64.init) == start - 7 + 120_000 - 1)
        for index in [1, 2, 3, 4, 5, 7, 9, 10] {
            let text = try #require(first[index] as? String)
            #expect(text.split(separator: ".").last?.count == 8, "field \(index): \(text)")
        }
        #expect(first[8] as? Int != nil)
        #expect(Int(page.headers["x-mbx-used-weight-1m"] ?? "") == 2)
        #expect(Int(second.headers["x-mbx-used-weight-1m"] ?? "") == 4)
        #expect((second.json as? [[Any]])?.count == 10)
        let hours = try #require(hourly.json as? [[Any]])
        #expect(hours.count == 5 && (hours[0][0] as? Int).map { $0 % 3_600_000 } == 0)
        #expect(unknown.status == 400 && (unknown.json as? [String: Any])?["code"] as? Int == -1121)
        #expect(tooMany.status == 400 && (tooMany.json as? [String: Any])?["code"] as? Int == -1130)
        #expect(badInterval.status == 400 && (badInterval.json as? [String: Any])?["code"] as? Int == -1120)
        let recent = try #require(latest.json as? [[Any]])
        #expect(recent.count == 3)
        #expect((recent.last?[0] as? Int).map { now - Int64($0) < 120_000 } == true)
    }

    @Test func ignoringA429GetsTheAddressBanned() async throws {
        var configuration = SimulatorConfiguration()
        configuration.rateLimits["binance"] = .init(capacity: 4, windowSeconds: 60)
        configuration.retryAfterSeconds = 30
        configuration.banSeconds = 120
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let url = "\(simulator.endpoints.binance)/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=10"
        var statuses: [Int] = []
        var retryAfter: [String?] = []
        for n in 0..<8 {
            if n == 3 { try await Task.sleep(for: .milliseconds(1100)) }  // past the in-flight grace
            let reply = try await Self.get(url)
            statuses.append(reply.status)
            retryAfter.append(reply.headers["retry-after"])
        }
        let stats = await simulator.stats()
        await simulator.stop()
        #expect(Array(statuses.prefix(2)) == [200, 200])
        #expect(statuses[2] == 429 && retryAfter[2] != nil)
        #expect(statuses.contains(418))
        #expect(statuses.last == 418 && Int(retryAfter.last! ?? "") ?? 0 > 100)
        #expect(stats.providers["binance"]?.statuses["418"] ?? 0 >= 1)
    }

    @Test func marketChartRangeFollowsCoinGeckosGranularity() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let base = simulator.endpoints.coinGecko
        let now = Int64(Date().timeIntervalSince1970)
        func chart(_ from: Int64, _ to: Int64, id: String = "bitcoin") async throws -> Reply {
            try await Self.get("\(base)/coins/\(id)/market_chart/range?vs_currency=usd&from=\(from)&to=\(to)")
        }
        let day = try await chart(now - 86_400 + 60, now)
        let month = try await chart(now - 30 * 86_400, now)
        let long = try await chart(now - 200 * 86_400, now)
        let tooOld = try await chart(now - 400 * 86_400, now - 399 * 86_400)
        let unknown = try await chart(now - 86_400, now, id: "no-such-coin")
        await simulator.stop()
        func spacing(_ reply: Reply) throws -> Int64 {
            let prices = try #require((reply.json as? [String: Any])?["prices"] as? [[Any]])
            let t0 = Int64(try #require(prices[0][0] as? Int)), t1 = Int64(try #require(prices[1][0] as? Int))
            let object = try #require(reply.json as? [String: Any])
            #expect((object["market_caps"] as? [[Any]])?.count == prices.count)
            #expect((object["total_volumes"] as? [[Any]])?.count == prices.count)
            return (t1 - t0) / 60_000
        }
        #expect(try spacing(day) == 5)
        #expect(try spacing(month) == 60)
        #expect(((month.json as? [String: Any])?["prices"] as? [[Any]])?.count ?? 0 >= 719)
        #expect(try spacing(long) == 1440)
        #expect(tooOld.status == 401)
        #expect(unknown.status == 404)
    }

    @Test func theLivePriceLiesOnTheCurrentKline() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let base = simulator.endpoints.binance
        var checked = 0
        for _ in 0..<20 where checked < 3 {
            let before = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1")
            let ticker = try await Self.get("\(base)/api/v3/ticker/24hr")
            let after = try await Self.get("\(base)/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1")
            let k1 = try #require((before.json as? [[Any]])?.first), k2 = try #require((after.json as? [[Any]])?.first)
            guard k1[0] as? Int == k2[0] as? Int else { continue }  // a minute boundary fell in between
            let last = try #require((ticker.json as? [[String: Any]])?.first { $0["symbol"] as? String == "BTCUSDT" }?["lastPrice"] as? String)
            let price = try #require(Double(last))
            let c1 = try #require(Double(k1[4] as? String ?? "")), c2 = try #require(Double(k2[4] as? String ?? ""))
            let open = try #require(Double(k1[1] as? String ?? ""))
            #expect(open == Double(k2[1] as? String ?? ""), "the open kline keeps its open")
            #expect(price >= min(c1, c2) - 1e-8 && price <= max(c1, c2) + 1e-8, "live \(price) between the kline's closes \(c1) and \(c2)")
            checked += 1
            try await Task.sleep(for: .milliseconds(300))
        }
        await simulator.stop()
        #expect(checked == 3)
    }
}
