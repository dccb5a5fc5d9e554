import CryptoVizCore
import Lakehouse
import Testing
import TestSupport
@testable import Server

/// `CandleAssembly` combines sources by the same rule as candles from pooled ticks.
@Suite struct CandleAssemblyTests {
    @Test(arguments: CandleInterval.allCases)
    func ticksAloneGiveTheTickCandlesWithoutVolume(interval: CandleInterval) {
        var generator = SeededGenerator(seed: 5)
        let sources = ["binance", "coingecko", "coinmarketcap"].map { ProviderID($0) }
        var ticks: [Tick] = []
        for _ in 0..<3_000 {
            // Coarse times so that several sources often share one millisecond.
            let t = Int64(Int.random(in: 0..<200, using: &generator)) * 7_000
            ticks.append(Tick(source: sources.randomElement(using: &generator)!, asset: AssetID("bitcoin"), symbol: "BTC",
                              price: Double(Int.random(in: 1...500, using: &generator)), volume24h: 3,
                              sourceTimeMillis: t, collectedTimeMillis: t))
        }
        var unique: [TickCursor: Tick] = [:]
        for tick in ticks { unique[TickCursor(tick)] = tick }
        var assembly = CandleAssembly(interval: interval)
        assembly.add(ticks: Array(unique.values))
        let expected = MarketConsensus.candles(from: Array(unique.values), interval: interval).map {
            var candle = $0
            candle.volume = nil
            return candle
        }
        #expect(assembly.candles() == expected)
    }
}
