import Foundation
import Testing
@testable import MarketSimulator
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Scripted market events: the file is validated with errors that name the field, and a
/// running simulator moves, splits and silences its sources at the scripted seconds.
@Suite struct MarketEventScriptTests {
    @Test(arguments: [
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "teleport", "asset": "bitcoin"}]}"#, "events[0].type"),
        (#"{"version": 1, "events": [{"at_seconds": -1, "type": "jump", "asset": "bitcoin", "percent": 5}]}"#, "events[0].at_seconds"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "jump", "asset": "bitcoin"}]}"#, "events[0].percent"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "jump", "asset": "bitcoin", "percent": -100}]}"#, "events[0].percent"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "drift", "asset": "bitcoin", "percent": 5}]}"#, "events[0].over_seconds"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "silence", "source": "nyse", "for_seconds": 5}]}"#, "events[0].source"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "silence", "source": "kraken", "for_seconds": 0}]}"#, "events[0].for_seconds"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "silence", "source": "kraken", "for_seconds": 5, "percent": 3}]}"#, "events[0].percent"),
        (#"{"version": 1, "events": [{"at_seconds": 1, "type": "jump", "asset": "bitcoin", "percent": "10"}]}"#, "events[0].percent"),
        (#"{"version": 2, "events": []}"#, "events.version"),
        (#"{"version": 1, "events": [], "extra": 1}"#, "unknown field 'extra'"),
        (#"{"version": 1, "events": [}"#, "not JSON"),
    ])
    func rejectsBadScriptsNamingTheField(json: String, mentions: String) {
        #expect {
            _ = try MarketEventScript(json: Array(json.utf8))
        } throws: { error in
            (error as? SimulatorError)?.message.contains(mentions) == true
        }
    }

    @Test func parsesEveryKind() throws {
        let script = try MarketEventScript(json: Array("""
            {"version": 1, "events": [
              {"at_seconds": 20, "type": "jump", "asset": "bitcoin", "percent": 10, "for_seconds": 30},
              {"at_seconds": 20, "type": "drift", "asset": "ethereum", "percent": -5, "over_seconds": 60},
              {"at_seconds": 40.5, "type": "silence", "source": "coinbase", "for_seconds": 15},
              {"at_seconds": 60, "type": "diverge", "asset": "bitcoin", "source": "coinbase", "percent": 4}
            ]}
            """.utf8))
        #expect(script.events.map(\.typeName) == ["jump", "drift", "silence", "diverge"])
        #expect(script.events[2].atSeconds == 40.5)
        #expect(script.events[1].factor(at: 50, source: nil) == 1 - 0.05 * 0.5, "half way through the drift")
        #expect(script.events[3].factor(at: 61, source: "coinbase") == 1.04 && script.events[3].factor(at: 61, source: "kraken") == 1)
    }

    @Test func unknownAssetStopsTheSimulatorFromStarting() async throws {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 20
        configuration.events = MarketEventScript(events: [MarketEvent(atSeconds: 1, kind: .jump(asset: "no-such-coin", percent: 5, forSeconds: nil))])
        await #expect {
            _ = try await MarketSimulator.start(configuration: configuration)
        } throws: { error in
            "\(error)".contains("no-such-coin")
        }
    }

    private static func json(_ url: String) async throws -> (Int, Any?) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
    }

    /// Binance's and Coinbase's bitcoin prices, and CoinGecko's status.
    private static func observe(_ sim: MarketSimulator) async throws -> (binance: Double, coinbase: Double, coinGeckoStatus: Int) {
        let (_, tickers) = try await json("\(sim.endpoints.binance)/api/v3/ticker/24hr")
        let btc = (tickers as? [[String: Any]])?.first { $0["symbol"] as? String == "BTCUSDT" }
        let binance = Double(btc?["lastPrice"] as? String ?? "") ?? .nan
        let (_, ticker) = try await json("\(sim.endpoints.coinbase)/products/BTC-USD/ticker")
        let coinbase = Double((ticker as? [String: Any])?["price"] as? String ?? "") ?? .nan
        let (status, _) = try await json("\(sim.endpoints.coinGecko)/coins/markets?vs_currency=usd&ids=bitcoin")
        return (binance, coinbase, status)
    }

    @Test func jumpDivergeAndSilenceHappenAtTheirSecondsAndEnd() async throws {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 20
        configuration.events = MarketEventScript(events: [
            MarketEvent(atSeconds: 1.5, kind: .jump(asset: "bitcoin", percent: 10, forSeconds: 2)),
            MarketEvent(atSeconds: 1.5, kind: .diverge(asset: "bitcoin", source: "coinbase", percent: 5, forSeconds: 2)),
            MarketEvent(atSeconds: 1.5, kind: .silence(source: "coingecko", forSeconds: 2)),
        ])
        let sim = try await MarketSimulator.start(configuration: configuration)
        let before = try await Self.observe(sim)
        try await Task.sleep(for: .milliseconds(2_300))
        let during = try await Self.observe(sim)
        try await Task.sleep(for: .milliseconds(2_200))
        let after = try await Self.observe(sim)
        await sim.stop()
        // Real-time prices move far less than 1 % in a few seconds; the script's moves are 5-10 %.
        #expect(abs(before.coinbase / before.binance - 1) < 0.01 && before.coinGeckoStatus == 200, "\(before)")
        #expect(abs(during.binance / before.binance - 1.10) < 0.01, "the jump reaches every source: \(during)")
        #expect(abs(during.coinbase / during.binance - 1.05) < 0.01, "coinbase diverges by 5 %: \(during)")
        #expect(during.coinGeckoStatus == 503, "coingecko is silent: \(during)")
        #expect(abs(after.binance / before.binance - 1) < 0.01 && abs(after.coinbase / after.binance - 1) < 0.01, "\(after)")
        #expect(after.coinGeckoStatus == 200)
    }
}
