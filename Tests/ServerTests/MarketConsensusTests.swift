import CryptoVizCore
import Lakehouse
import Testing
@testable import Server

@Suite struct MarketConsensusTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(MarketConsensus.median([3, 1, 2]) == 2)
        #expect(MarketConsensus.median([4, 1, 3, 2]) == 2.5)
        #expect(MarketConsensus.median([]) == nil)
        #expect(MarketConsensus.median([.nan, 5]) == 5)
    }

    @Test func consensusQuoteIsTheMedianAcrossSources() throws {
        let latest = [
            SampleTicks.tick("a", "bitcoin", price: 100, at: 1_000),
            SampleTicks.tick("b", "bitcoin", price: 130, at: 3_000),
            SampleTicks.tick("c", "bitcoin", price: 101, at: 2_000),
        ]
        let quote = try #require(MarketConsensus.quotes(from: latest).first)
        #expect(quote.price == 101)
        #expect(quote.sourceTimeMs == 3_000)
        #expect(quote.sources.map(\.source) == ["a", "b", "c"])
        let spread = try #require(MarketConsensus.spread(asset: "bitcoin", latest: latest))
        #expect(spread.spread == 30)
        #expect(abs(spread.spreadPercent - 30.0 / 101 * 100) < 1e-9)
        #expect(abs(spread.sources[1].deviationPercent - 29.0 / 101 * 100) < 1e-9)
    }

    @Test func candlesSplitExactlyAtBucketEdges() {
        // 59_999 belongs to [0, 60_000); 60_000 opens the next bucket. The ticks' rolling 24 h
        // volumes are not a bucket's volume: candles from ticks have none.
        let ticks = [
            SampleTicks.tick("a", "bitcoin", price: 12, at: 60_000, volume: 7),
            SampleTicks.tick("a", "bitcoin", price: 10, at: 0, volume: 1),
            SampleTicks.tick("a", "bitcoin", price: 15, at: 30_000, volume: 2),
            SampleTicks.tick("a", "bitcoin", price: 9, at: 59_999),
            SampleTicks.tick("a", "bitcoin", price: 11, at: 119_999, volume: 8),
            SampleTicks.tick("a", "bitcoin", price: 20, at: 180_000),
        ]
        let candles = MarketConsensus.candles(from: ticks, interval: .oneMinute)
        #expect(candles.map(\.startMs) == [0, 60_000, 180_000])
        #expect(candles[0] == CandleDTO(startMs: 0, open: 10, high: 15, low: 9, close: 9, volume: nil, tickCount: 3))
        #expect(candles[1] == CandleDTO(startMs: 60_000, open: 12, high: 12, low: 11, close: 11, volume: nil, tickCount: 2))
        #expect(candles[2] == CandleDTO(startMs: 180_000, open: 20, high: 20, low: 20, close: 20, volume: nil, tickCount: 1))
    }

    @Test(arguments: CandleInterval.allCases)
    func bucketsAlignToTheEpochForNegativeTimesToo(_ interval: CandleInterval) {
        #expect(interval.bucketStart(interval.millis - 1) == 0)
        #expect(interval.bucketStart(interval.millis) == interval.millis)
        #expect(interval.bucketStart(-1) == -interval.millis)
    }
}
