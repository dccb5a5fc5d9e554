import CryptoVizCore
import Foundation
import Testing
import TestSupport
@testable import Server

/// The dashboard says so when its data is old: a live server whose newest quote is 10 minutes
/// old shows the "Live" badge and a stale banner giving the age, in Chromium.
@Suite struct StaleBannerTests {
    @Test func quotesTenMinutesOldRaiseTheStaleBanner() async throws {
        let old = currentUnixMillis() - 10 * 60_000
        let data = InMemoryMarketData()
        _ = await data.append([SampleTicks.tick("binance", "bitcoin", price: 64_000, at: old),
                               SampleTicks.tick("coingecko", "bitcoin", price: 64_010, at: old - 5_000)])
        let server = try await RunningServer.start(data: data)
        let python = try TestEnvironment.python()
        let result = try await HTTPTestClient.offload {
            try ProcessRunner.run(python, [TestEnvironment.oracle("server/banner_check.py"), "--url", "http://127.0.0.1:\(server.port)",
                                           "--kind", "stale"])
        }
        await server.stop()
        let line = try #require(result.stdout.split(separator: "\n").last, "no output: \(result.stderr)")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(state["kind"] as? String == "stale", "\(state)")
        #expect(state["hidden"] as? Bool == false)
        #expect((state["text"] as? String)?.contains("the newest quote is 10 min old") == true, "\(state)")
        #expect(state["mode"] as? String == "live")
        #expect((state["console_errors"] as? [Any])?.isEmpty == true, "\(state)")
    }

    /// A source whose newest quote is 5 minutes old is marked and left out of the consensus at
    /// the default age (120 s); at 600 s it counts again; the choice survives a reload.
    @Test func theStaleAgeDecidesWhichSourcesCount() async throws {
        let now = currentUnixMillis()
        let data = InMemoryMarketData()
        _ = await data.append([SampleTicks.tick("binance", "bitcoin", price: 64_000, at: now - 20_000),
                               SampleTicks.tick("coinmarketcap", "bitcoin", price: 64_020, at: now - 25_000),
                               SampleTicks.tick("coingecko", "bitcoin", price: 63_000, at: now - 300_000)])
        let server = try await RunningServer.start(data: data)
        let python = try TestEnvironment.python()
        let result = try await HTTPTestClient.offload {
            try ProcessRunner.run(python, [TestEnvironment.oracle("server/stale_sources_check.py"), "--url", "http://127.0.0.1:\(server.port)",
                                           "--age", "600"])
        }
        await server.stop()
        let line = try #require(result.stdout.split(separator: "\n").last, "no output: \(result.stderr)")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let before = state["default"] as? [String: Any] ?? [:]
        let after = state["after"] as? [String: Any] ?? [:]
        #expect(before["rows"] as? Int == 3, "\(state)")
        #expect(before["stale"] as? [String] == ["bitcoin/coingecko"], "\(state)")
        #expect(before["excluded"] as? [String] == ["bitcoin/coingecko"], "\(state)")
        #expect((after["stale"] as? [String])?.isEmpty == true && (after["excluded"] as? [String])?.isEmpty == true, "\(state)")
        #expect(state["kept_after_reload"] as? String == "600")
        #expect((state["console_errors"] as? [Any])?.isEmpty == true, "\(state)")
    }
}
