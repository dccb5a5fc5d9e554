import CryptoVizCore
import Foundation
import Lakehouse
import Pipeline
import Testing
import TestSupport
@testable import Server

private let minute: Int64 = 60_000
private let hour: Int64 = 3_600_000

/// The bars' summed base volume (written so that it reads the same whether the record's
/// volume is optional or not).
private func volumeSum(_ bars: some Sequence<CandleRecord>) -> Double {
    func value(_ volume: Double?) -> Double { volume ?? .nan }
    return bars.reduce(0) { $0 + value($1.baseVolume) }
}

/// Candles from the lake's candles table joined to candles from ticks at the seam (the end of
/// each source's newest final bar), coarse intervals from the finest stored one, and the tick
/// path untouched where the table holds nothing for the asset.
@Suite struct LakeMarketDataCandleTableTests {
    static let binance = ProviderID("binance")
    static let coinGecko = ProviderID("coingecko")
    static let cmc = ProviderID("coinmarketcap")
    static let bitcoin = AssetID("bitcoin")

    /// 150 final 1-minute bars from `t0` (an hour start) to the seam `t0 + 150 min`, a
    /// still-open bar at the seam with prices no minute has, and tail ticks every 20 s from
    /// 20 minutes before the seam to 25 minutes after it (those before must not count).
    static func seamLake() async throws -> (CandleLakeFixture, t0: Int64, seam: Int64, bars: [CandleRecord], ticks: [Tick]) {
        let t0 = (currentUnixMillis() / hour - 4) * hour
        let seam = t0 + 150 * minute
        let fixture = try await CandleLakeFixture.make("candles-seam")
        var bars: [CandleRecord] = []
        for i in 0..<150 {
            let base = 1_000 + Double(i % 37)
            bars.append(CandleLakeFixture.bar(binance, bitcoin, .oneMinute, at: t0 + Int64(i) * minute, base: base, volume: Double(i + 1)))
        }
        try await fixture.appendCandles(Array(bars[..<75]))
        try await fixture.appendCandles(Array(bars[75...]) + [
            CandleLakeFixture.bar(binance, bitcoin, .oneMinute, at: seam, base: 9_999, isFinal: false),
        ])
        var ticks: [Tick] = []
        var t = seam - 20 * minute
        var i = 0
        while t < seam + 25 * minute {
            ticks.append(CandleLakeFixture.tick(binance, bitcoin, price: 2_000 + Double(i % 11) * 3, at: t))
            t += 20_000
            i += 1
        }
        for tick in ticks { fixture.tail.insert(tick) }
        return (fixture, t0, seam, bars, ticks)
    }

    @Test func everyMinuteOnceAcrossTheSeam() async throws {
        let (fixture, t0, seam, bars, ticks) = try await Self.seamLake()
        let to = seam + 30 * minute
        let candles = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneMinute, fromMillis: t0, toMillis: to))

        let fromBars = bars.map {
            CandleDTO(startMs: $0.openTimeMillis, open: $0.open, high: $0.high, low: $0.low, close: $0.close, volume: $0.baseVolume, tickCount: 1)
        }
        let fromTicks = MarketConsensus.candles(from: ticks.filter { $0.sourceTimeMillis >= seam }, interval: .oneMinute)
        #expect(candles == fromBars + fromTicks)
        // No gap, no double: one candle per minute from t0 to the last tick's minute.
        let lastMinute = CandleInterval.oneMinute.bucketStart(ticks.last!.sourceTimeMillis)
        #expect(candles.map(\.startMs) == Array(stride(from: t0, through: lastMinute, by: Int(minute))))
        // The still-open stored bar never shows; the tail's ticks of the seam minute do.
        #expect(!candles.contains { $0.open == 9_999 || $0.high == 10_001 })
        #expect(candles.first { $0.startMs == seam }?.tickCount == 3)
        // From the epoch (the dashboard's "all"): the same minutes, not 29 M empty buckets.
        let all = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneMinute, fromMillis: 0, toMillis: to))
        #expect(all == candles)
    }

    @Test func theHourHoldingTheSeamJoinsBarsAndTicks() async throws {
        let (fixture, t0, seam, bars, ticks) = try await Self.seamLake()
        let candles = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneHour, fromMillis: t0, toMillis: seam + 30 * minute))
        #expect(candles.map(\.startMs) == [t0, t0 + hour, t0 + 2 * hour])

        for (index, hourStart) in [t0, t0 + hour].enumerated() {
            let inHour = bars.filter { $0.openTimeMillis >= hourStart && $0.openTimeMillis < hourStart + hour }
            #expect(inHour.count == 60)
            #expect(candles[index] == CandleDTO(startMs: hourStart, open: inHour.first!.open, high: inHour.map(\.high).max()!,
                                                low: inHour.map(\.low).min()!, close: inHour.last!.close,
                                                volume: volumeSum(inHour), tickCount: 60))
        }
        // The seam's hour: 30 bars before the seam, the ticks after it.
        let hourStart = t0 + 2 * hour
        let before = bars.filter { $0.openTimeMillis >= hourStart }
        let after = ticks.filter { $0.sourceTimeMillis >= seam }
        #expect(before.count == 30)
        #expect(candles[2] == CandleDTO(startMs: hourStart, open: before.first!.open,
                                        high: max(before.map(\.high).max()!, after.map(\.price).max()!),
                                        low: min(before.map(\.low).min()!, after.map(\.price).min()!),
                                        close: after.last!.price, volume: volumeSum(before),
                                        tickCount: 30 + after.count))
    }

    @Test func aRangeBeforeTheSeamComesFromTheTableAlone() async throws {
        let (fixture, t0, _, bars, _) = try await Self.seamLake()
        // Ends before the newest bar: no tick is read, even those the tail holds in the range.
        let to = t0 + 140 * minute
        let candles = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .fiveMinutes, fromMillis: t0 + 100 * minute, toMillis: to))
        let expected = stride(from: t0 + 100 * minute, to: to, by: Int(5 * minute)).map { start -> CandleDTO in
            let five = bars.filter { $0.openTimeMillis >= start && $0.openTimeMillis < start + 5 * minute }
            return CandleDTO(startMs: start, open: five.first!.open, high: five.map(\.high).max()!, low: five.map(\.low).min()!,
                             close: five.last!.close, volume: volumeSum(five), tickCount: 5)
        }
        #expect(candles == expected)
    }

    @Test func sourcesCombineAsPooledTicksDo() async throws {
        // Binance 1-minute bars and CoinGecko 5-minute bars of the same buckets: both start at
        // the bucket start (open from the smaller name, binance) and end at its last ms (close
        // from the larger name, coingecko); high and low over both, volumes summed.
        let t0 = (currentUnixMillis() / hour - 30) * hour
        let fixture = try await CandleLakeFixture.make("candles-sources")
        let fine = (0..<10).map { CandleLakeFixture.bar(Self.binance, Self.bitcoin, .oneMinute, at: t0 + Int64($0) * minute, base: 100 + Double($0)) }
        let coarse = (0..<2).map { CandleLakeFixture.bar(Self.coinGecko, Self.bitcoin, .fiveMinutes, at: t0 + Int64($0) * 5 * minute, base: 50 + Double($0) * 100, volume: 777) }
        try await fixture.appendCandles(fine + coarse)
        // The tick table has this asset from a third source, 10 hours later (outside the range).
        try await fixture.appendTicks([CandleLakeFixture.tick(Self.cmc, Self.bitcoin, price: 1, at: t0 + 10 * hour)])
        let candles = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .fiveMinutes, fromMillis: t0, toMillis: t0 + hour))
        #expect(candles.count == 2)
        for (i, candle) in candles.enumerated() {
            let five = fine[(i * 5)..<(i * 5 + 5)]
            #expect(candle == CandleDTO(startMs: t0 + Int64(i) * 5 * minute, open: five.first!.open,
                                        high: max(five.map(\.high).max()!, coarse[i].high), low: min(five.map(\.low).min()!, coarse[i].low),
                                        close: coarse[i].close, volume: volumeSum(five) + 777, tickCount: 6))
        }
        // One source asked for: its bars alone.
        let one = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, sources: [Self.binance], interval: .fiveMinutes,
                                                             fromMillis: t0, toMillis: t0 + hour))
        #expect(one.map(\.open) == [100, 105])
        #expect(one.map(\.close) == [105, 110])
    }

    @Test func coarseBarsServeTheIntervalsTheyDivideFinestFirst() async throws {
        // CoinGecko-like history: hourly bars for three days, 5-minute bars for the last hour
        // of it. A 1 h request takes the 5-minute bars where they exist; 5 m and 1 m requests
        // cannot use hourly bars.
        let day: Int64 = 86_400_000
        let d0 = (currentUnixMillis() / day - 20) * day
        let fixture = try await CandleLakeFixture.make("candles-coarse")
        let hourly = (0..<72).map { CandleLakeFixture.bar(Self.coinGecko, Self.bitcoin, .oneHour, at: d0 + Int64($0) * hour, base: 10 + Double($0)) }
        let lastHour = d0 + 71 * hour
        let fives = (0..<12).map { CandleLakeFixture.bar(Self.coinGecko, Self.bitcoin, .fiveMinutes, at: lastHour + Int64($0) * 5 * minute, base: 500 + Double($0)) }
        try await fixture.appendCandles(hourly)
        try await fixture.appendCandles(fives)

        let hours = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneHour, fromMillis: d0, toMillis: d0 + 3 * day))
        #expect(hours.count == 72)
        #expect(Array(hours.prefix(71)).map(\.open) == hourly.prefix(71).map(\.open))
        #expect(hours.last == CandleDTO(startMs: lastHour, open: 500, high: 513, low: 499, close: 512, volume: 120, tickCount: 12))

        let days = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneDay, fromMillis: d0, toMillis: d0 + 3 * day))
        #expect(days.map(\.startMs) == [d0, d0 + day, d0 + 2 * day])
        #expect(days[0] == CandleDTO(startMs: d0, open: 10, high: 35, low: 9, close: 34, volume: 240, tickCount: 24))
        // The last day: 23 hourly bars and 12 five-minute bars (the finest, for the last hour).
        #expect(days[2] == CandleDTO(startMs: d0 + 2 * day, open: 58, high: 513, low: 57, close: 512, volume: 23 * 10 + 120, tickCount: 35))

        let five = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .fiveMinutes, fromMillis: d0, toMillis: d0 + 3 * day))
        #expect(five.map(\.open) == fives.map(\.open))
        let minutes = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: .oneMinute, fromMillis: d0, toMillis: d0 + 3 * day))
        #expect(minutes.isEmpty)
    }

    @Test func anAssetTheTableDoesNotHoldKeepsTheTickPath() async throws {
        let fixture = try await CandleLakeFixture.make("candles-fallback")
        let t0 = (currentUnixMillis() / hour - 50) * hour
        try await fixture.appendCandles([CandleLakeFixture.bar(Self.binance, AssetID("ethereum"), .oneMinute, at: t0, base: 5)])
        var ticks: [Tick] = []
        for i in 0..<600 {
            for (s, source) in [Self.binance, Self.cmc].enumerated() {
                ticks.append(Tick(source: source, asset: Self.bitcoin, symbol: "BTC", price: 100 + Double((i * 7 + s) % 23),
                                  volume24h: Double(i), sourceTimeMillis: t0 + Int64(i) * 45_000 + Int64(s) * 1_000,
                                  collectedTimeMillis: t0 + Int64(i) * 45_000 + 2_000))
            }
        }
        try await fixture.appendTicks(ticks)
        for interval in CandleInterval.allCases {
            let candles = try await fixture.data.candles(CandleQuery(asset: Self.bitcoin, interval: interval, fromMillis: t0, toMillis: t0 + 10 * hour))
            #expect(candles == MarketConsensus.candles(from: ticks, interval: interval), "\(interval)")
        }
    }
}
