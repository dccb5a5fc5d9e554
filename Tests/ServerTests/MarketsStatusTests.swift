import CryptoVizCore
import Foundation
import Testing
import TestSupport
@testable import Server

/// `/api/v1/status` (the dashboard's mode badge and stale banner) and
/// `/api/v1/markets/sparklines` (the Markets table's 7-day lines), over a real server.
@Suite struct MarketsStatusTests {
    static let hour: Int64 = 3_600_000

    @Test func statusGivesTheModeAndTheNewestTick() async throws {
        let now = currentUnixMillis()
        var demo = ServerConfiguration(port: 0)
        demo.mode = .demo
        let data = InMemoryMarketData()
        _ = await data.append([SampleTicks.tick("binance", "bitcoin", price: 1, at: now - 40_000),
                               SampleTicks.tick("coingecko", "ethereum", price: 2, at: now - 7_000)])
        let server = try await RunningServer.start(configuration: demo, data: data)
        let status = try await server.get("/api/v1/status").json()
        #expect(status["mode"] as? String == "demo")
        #expect((status["newest_tick_ms"] as? NSNumber)?.int64Value == now - 7_000)
        let serverTime = (status["server_time_ms"] as? NSNumber)?.int64Value ?? 0
        #expect(abs(serverTime - currentUnixMillis()) < 5_000, "\(status)")
        await server.stop()

        // Before the first tick the field is there, as null; a lake without a bus never reports one.
        for mode in [ServerMode.live, .history] {
            var configuration = ServerConfiguration(port: 0)
            configuration.mode = mode
            let empty = try await RunningServer.start(configuration: configuration)
            let body = try await empty.get("/api/v1/status")
            #expect(body.text.contains("\"newest_tick_ms\":null"), "\(body.text)")
            #expect(try body.json()["mode"] as? String == mode.rawValue)
            await empty.stop()
        }
    }

    @Test func sparklinesAreTheLastHourlyCloseOfEachStep() async throws {
        let now = currentUnixMillis()
        let data = InMemoryMarketData()
        // One tick an hour for eight days, price = hours ago; a day without ticks 2-3 days ago.
        var ticks: [Tick] = []
        for k in 0..<(24 * 8) where !(48..<72).contains(k) {
            ticks.append(SampleTicks.tick("binance", "bitcoin", price: 1000 + Double(k), at: now - Int64(k) * Self.hour - 60_000))
        }
        _ = await data.append(ticks)
        let server = try await RunningServer.start(data: data)
        let body = try await server.get("/api/v1/markets/sparklines?assets=bitcoin,nosuchcoin&days=7").json()
        let from = try #require((body["from_ms"] as? NSNumber)?.int64Value)
        let step = try #require((body["step_ms"] as? NSNumber)?.int64Value)
        #expect(step == 4 * Self.hour)
        let lines = try #require(body["sparklines"] as? [[String: Any]])
        #expect(lines.map { $0["asset"] as? String } == ["bitcoin", "nosuchcoin"])
        let closes = try #require(lines[0]["close"] as? [Any])
        #expect(closes.count == 42)
        var nulls = 0
        for (i, value) in closes.enumerated() {
            // The newest tick of the step: it lies in the step's last hour that has one.
            let start = from + Int64(i) * step
            let inStep = ticks.filter { $0.sourceTimeMillis >= start && $0.sourceTimeMillis < start + step }
            let expected = inStep.max { $0.sourceTimeMillis < $1.sourceTimeMillis }?.price
            if let expected {
                #expect((value as? NSNumber)?.doubleValue == expected, "step \(i)")
            } else {
                #expect(value is NSNull, "step \(i): \(value)")
                nulls += 1
            }
        }
        #expect(nulls >= 5, "the day without ticks leaves steps empty")
        let unknown = try #require(lines[1]["close"] as? [Any])
        #expect(unknown.count == 42 && unknown.allSatisfy { $0 is NSNull })
        await server.stop()
    }

    @Test func spreadHistoryComparesTheSourcesBucketByBucket() async throws {
        let minute: Int64 = 60_000
        let start = (currentUnixMillis() / minute - 30) * minute
        let data = InMemoryMarketData()
        var ticks: [Tick] = []
        for i in 0..<10 {
            let at = start + Int64(i) * minute + 5_000
            ticks.append(SampleTicks.tick("binance", "bitcoin", price: 100 + Double(i), at: at))
            ticks.append(SampleTicks.tick("coingecko", "bitcoin", price: 101 + Double(i), at: at))
            // A third source in even minutes only: odd minutes have two closes, even ones three.
            if i % 2 == 0 { ticks.append(SampleTicks.tick("kraken", "bitcoin", price: 99 + Double(i), at: at + 1_000)) }
        }
        // A minute with one source alone has no spread.
        ticks.append(SampleTicks.tick("binance", "bitcoin", price: 500, at: start + 12 * minute))
        _ = await data.append(ticks)
        let server = try await RunningServer.start(data: data)
        let body = try await server.get("/api/v1/assets/bitcoin/spread/history?interval=1m&from=\(start)&to=\(start + 20 * minute)").json()
        #expect(body["asset"] as? String == "bitcoin" && body["interval"] as? String == "1m")
        let points = try #require(body["points"] as? [[String: Any]])
        #expect(points.count == 10, "\(points)")
        for (i, point) in points.enumerated() {
            #expect((point["start_ms"] as? NSNumber)?.int64Value == start + Int64(i) * minute)
            let closes = point["closes"] as? [String: Double] ?? [:]
            let prices = closes.values.sorted()
            let median = prices.count == 3 ? prices[1] : (prices[0] + prices[1]) / 2
            let expected = (prices.last! - prices.first!) / median * 100
            #expect(closes.count == (i % 2 == 0 ? 3 : 2), "minute \(i): \(closes)")
            #expect(abs(((point["spread_pct"] as? NSNumber)?.doubleValue ?? -1) - expected) < 1e-12, "minute \(i)")
        }
        // Two named sources only.
        let two = try await server.get("/api/v1/assets/bitcoin/spread/history?interval=1m&sources=binance,kraken&from=\(start)&to=\(start + 20 * minute)").json()
        #expect((two["points"] as? [[String: Any]])?.count == 5)
        #expect(try await server.get("/api/v1/assets/nosuchcoin/spread/history").status == 404)
        #expect(try await server.get("/api/v1/assets/bitcoin/spread/history?interval=2m").status == 400)
        await server.stop()
    }

    @Test(arguments: [
        ("/api/v1/markets/sparklines", "assets"),
        ("/api/v1/markets/sparklines?assets=", "assets"),
        ("/api/v1/markets/sparklines?assets=bitcoin&days=0", "days"),
        ("/api/v1/markets/sparklines?assets=bitcoin&days=31", "days"),
        ("/api/v1/markets/sparklines?assets=Bit%20Coin", "assets"),
    ])
    func badSparklineRequestsAreRefused(_ path: String, _ parameter: String) async throws {
        let server = try await RunningServer.start()
        let response = try await server.get(path)
        #expect(response.status == 400, "\(path): \(response.text)")
        let error = try response.json()["error"] as? [String: Any]
        #expect(error?["parameter"] as? String == parameter, "\(path): \(response.text)")
        await server.stop()
    }
}
