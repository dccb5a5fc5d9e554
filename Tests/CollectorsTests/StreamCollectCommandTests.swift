import CryptoVizCore
import Foundation
import MarketSimulator
import Testing
import TestSupport
@testable import Collectors

/// `cryptoviz collect --streams binance` against a real `cryptoviz simulate`: the stream's
/// tickers are printed as ticks like polled ones, its trades and candles go to --stream-events.
@Suite(.serialized) struct StreamCollectCommandTests {
    @Test func collectPrintsStreamedTicksForEveryWatchedBinanceCoinAndWritesTrades() async throws {
        let assets = 60, watchedCount = 10
        let (simulatorProcess, url) = try CryptovizRoles.simulator(assets: assets, label: "streams-simulate")
        defer { _ = simulatorProcess.stop() }
        let universe = SimulatedUniverse(count: assets, seed: 42)
        let watched = universe.assets.prefix(watchedCount)
        let expected = VenueCollectionTests.expected(watched, on: .binance)
        let work = try TestEnvironment.temporaryDirectory("streams-collect")
        let output = work.appendingPathComponent("ticks.jsonl")
        let events = work.appendingPathComponent("events.jsonl")
        let wsURL = url.replacingOccurrences(of: "http://", with: "ws://")
        // Only CoinGecko is polled (for identities): every Binance tick must come from the stream.
        let collector = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "collect", "--providers", "coingecko", "--streams", "binance", "--binance-ws-url", wsURL,
            "--stream-trades", "BTC", "--stream-events", events.path, "--assets", "\(watchedCount)",
            "--coingecko-url", "\(url)/api/v3", "--output", output.path, "--data", work.path,
        ], label: "streams-collect")
        let started = ContinuousClock.now
        try collector.start()
        defer { _ = collector.stop() }

        var seen = Set<AssetID>()
        var binanceTicks: [Tick] = []
        while ContinuousClock.now - started < .seconds(3), seen != expected {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            binanceTicks = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Tick.self, from: Data($0.utf8)) }
                .filter { $0.source == .binance }
            seen = Set(binanceTicks.map(\.asset))
        }
        let elapsed = ContinuousClock.now - started
        #expect(seen == expected, "after \(elapsed): \(seen.map(\.rawValue).sorted())\n\(collector.logTail(2000))")
        #expect(binanceTicks.allSatisfy { $0.quoteCurrency == "USDT" && $0.price > 0 })
        #expect(binanceTicks.contains { $0.asset == "bitcoin" && $0.symbol == "BTC" })

        // A second of the tape more, then the trades written must be the simulator's, each once.
        try await Task.sleep(for: .seconds(1))
        let lines = ((try? String(contentsOf: events, encoding: .utf8)) ?? "").split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "every line is a JSON object")
        let tradeIDs = objects.filter { $0["type"] as? String == "trade" }.compactMap { $0["trade_id"] as? Int64 }
        #expect(tradeIDs.count >= 5)
        #expect(Set(tradeIDs).count == tradeIDs.count)
        #expect(objects.filter { $0["type"] as? String == "trade" }.allSatisfy { $0["pair"] as? String == "BTCUSDT" })
        #expect(objects.contains { $0["type"] as? String == "candle" && $0["interval"] as? String == "1m" })
    }
}
