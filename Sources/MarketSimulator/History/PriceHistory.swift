import CryptoVizCore
import Foundation

/// The simulated market's past as a pure function: the minute bar of asset `a` at minute `m`
/// depends only on (seed, a, m), so any page of any series can be served in any order, fast,
/// without storing the history.
///
/// The log price is a Brownian motion built in two levels: one Gaussian step per UTC day (the
/// day's total move) and, inside each day, a Brownian bridge of 1440 minute steps pinned to
/// that total. A day's path therefore costs 1440 draws whatever the distance from the anchor,
/// and the level at a day's start is a sum of per-day draws only. The path is anchored so that
/// the minute the simulator started opens at the asset's initial price, which is where the
/// live price process starts: the live quotes continue the history.
public struct PriceHistory: Sendable {
    /// One minute (or aggregated) bar.
    public struct Bar: Sendable, Hashable {
        public var openTimeMillis: Int64
        public var open: Double
        public var high: Double
        public var low: Double
        public var close: Double
        /// Volume in the base asset.
        public var volume: Double
        public var quoteVolume: Double
        public var trades: Int
        public var takerBuyVolume: Double
        public var takerBuyQuoteVolume: Double
    }

    static let minutesPerDay: Int64 = 1440
    /// A minute as a fraction of a year (volatilities are annualised).
    static let minuteYears = 60.0 / 31_557_600

    let universe: SimulatedUniverse
    let noise: HistoryNoise
    /// Per asset index: the offset that makes the anchor minute open at the initial price.
    private let anchorBases: [Double]
    /// Minute index (Unix ms / 60 000) at which the simulator started.
    public let anchorMinute: Int64
    /// Per asset index: the first minute with a bar (the pair's listing).
    let listingMinute: [Int64]
    /// Minute ranges in which the venue had an outage (no bars for any asset).
    let outages: [Range<Int64>]

    init(universe: SimulatedUniverse, seed: UInt64, anchorMillis: Int64, history: SimulatorConfiguration.History) {
        self.universe = universe
        let noise = HistoryNoise(seed: seed ^ 0x6C62_272E_07BB_0142)
        self.noise = noise
        let anchorMinute = Self.floorDiv(anchorMillis, 60_000)
        self.anchorMinute = anchorMinute
        let defaultListing = anchorMinute - Int64(history.defaultDays) * Self.minutesPerDay
        listingMinute = universe.assets.map { asset in
            history.listings[asset.id].map { Self.floorDiv($0 + 59_999, 60_000) } ?? defaultListing
        }
        outages = history.outages.map { Self.floorDiv($0.lowerBound + 59_999, 60_000)..<Self.floorDiv($0.upperBound + 59_999, 60_000) }
        anchorBases = universe.assets.indices.map { Self.anchorBase(universe.assets[$0], index: $0, anchorMinute: anchorMinute, noise: noise) }
    }

    /// Whether asset `index` has a bar at minute `m` (listed, and no venue outage).
    public func hasBar(asset index: Int, minute m: Int64) -> Bool {
        guard m >= listingMinute[index] else { return false }
        for outage in outages where outage.contains(m) { return false }
        return true
    }

    /// The first minute with a bar for asset `index`.
    public func listing(asset index: Int) -> Int64 { listingMinute[index] }

    /// Minute bars of asset `index` for minutes in `minutes`, skipping minutes without a bar.
    public func minuteBars(asset index: Int, minutes: Range<Int64>) -> [Bar] {
        var bars: [Bar] = []
        guard !minutes.isEmpty else { return bars }
        bars.reserveCapacity(Int(min(100_000, minutes.upperBound - minutes.lowerBound)))
        var day = Self.floorDiv(minutes.lowerBound, Self.minutesPerDay)
        let lastDay = Self.floorDiv(minutes.upperBound - 1, Self.minutesPerDay)
        var levels = dayLevels(asset: index, day: day)
        while day <= lastDay {
            let dayStart = day * Self.minutesPerDay
            let from = max(minutes.lowerBound, dayStart), to = min(minutes.upperBound, dayStart + Self.minutesPerDay)
            var m = from
            while m < to {
                if hasBar(asset: index, minute: m) {
                    let j = Int(m - dayStart)
                    bars.append(bar(asset: index, minute: m, logOpen: levels[j], logClose: levels[j + 1]))
                }
                m += 1
            }
            day += 1
            if day <= lastDay { levels = dayLevels(asset: index, day: day) }
        }
        return bars
    }

    /// The log price at the start of minute `m` (for point samples such as CoinGecko's).
    public func logPrice(asset index: Int, minute m: Int64) -> Double {
        let day = Self.floorDiv(m, Self.minutesPerDay)
        return dayLevels(asset: index, day: day)[Int(m - day * Self.minutesPerDay)]
    }

    /// The 1441 log-price levels at the minute boundaries of `day` (start of minute 0 … end of 1439).
    func dayLevels(asset index: Int, day: Int64) -> [Double] {
        let asset = universe.assets[index]
        let sigma = asset.volatility
        let minuteSD = sigma * Self.minuteYears.squareRoot()
        let daySD = minuteSD * Double(Self.minutesPerDay).squareRoot()
        let dayDrift = -0.5 * sigma * sigma * Self.minuteYears * Double(Self.minutesPerDay)
        // Level at the start of `day`, relative to the start of the anchor's day.
        let anchorDay = Self.floorDiv(anchorMinute, Self.minutesPerDay)
        var start = 0.0
        if day >= anchorDay {
            var d = anchorDay
            while d < day { start += dayDrift + daySD * gaussian(asset: index, key: d, stream: 1); d += 1 }
        } else {
            var d = day
            while d < anchorDay { start -= dayDrift + daySD * gaussian(asset: index, key: d, stream: 1); d += 1 }
        }
        let total = dayDrift + daySD * gaussian(asset: index, key: day, stream: 1)
        var walk = [Double](repeating: 0, count: Int(Self.minutesPerDay) + 1)
        let firstMinute = day * Self.minutesPerDay
        for j in 0..<Int(Self.minutesPerDay) {
            walk[j + 1] = walk[j] + minuteSD * gaussian(asset: index, key: firstMinute + Int64(j), stream: 2)
        }
        // Pin the walk to the day's total (a Brownian bridge), then shift to the day's start.
        let end = walk[Int(Self.minutesPerDay)]
        let base = anchorBases[index]
        for j in walk.indices {
            let f = Double(j) / Double(Self.minutesPerDay)
            walk[j] = base + start + walk[j] - f * end + f * total
        }
        return walk
    }

    /// log(initial price) minus the bridge's offset at the anchor minute, so that the level at
    /// the anchor minute is exactly log(initial price).
    private static func anchorBase(_ asset: SimulatedAsset, index: Int, anchorMinute: Int64, noise: HistoryNoise) -> Double {
        let sigma = asset.volatility
        let minuteSD = sigma * minuteYears.squareRoot()
        let daySD = minuteSD * Double(minutesPerDay).squareRoot()
        let dayDrift = -0.5 * sigma * sigma * minuteYears * Double(minutesPerDay)
        let anchorDay = floorDiv(anchorMinute, minutesPerDay)
        let firstMinute = anchorDay * minutesPerDay
        let j = Int(anchorMinute - firstMinute)
        var walk = 0.0, end = 0.0
        for k in 0..<Int(minutesPerDay) {
            let step = minuteSD * noise.gaussian(asset: index, key: firstMinute + Int64(k), stream: 2)
            if k < j { walk += step }
            end += step
        }
        let total = dayDrift + daySD * noise.gaussian(asset: index, key: anchorDay, stream: 1)
        let f = Double(j) / Double(minutesPerDay)
        return log(asset.initialPrice) - (walk - f * end + f * total)
    }

    private func bar(asset index: Int, minute m: Int64, logOpen: Double, logClose: Double) -> Bar {
        let asset = universe.assets[index]
        let open = Self.clamp(exp(logOpen)), close = Self.clamp(exp(logClose))
        let spread = asset.volatility * Self.minuteYears.squareRoot()
        let high = Self.clamp(max(open, close) * (1 + spread * unit(asset: index, key: m, stream: 3)))
        let low = Self.clamp(min(open, close) * (1 - 0.9 * spread * unit(asset: index, key: m, stream: 4)))
        // Binance trades a fifth of the global volume, spread over the day's minutes.
        let quoteVolume = asset.circulatingSupply * close * asset.turnover * 0.2 / 1440
            * (0.5 + unit(asset: index, key: m, stream: 5))
        let volume = quoteVolume / ((open + high + low + close) / 4)
        let takerShare = 0.4 + 0.2 * unit(asset: index, key: m, stream: 6)
        let trades = 20 + Int(unit(asset: index, key: m, stream: 7) * 400)
        return Bar(openTimeMillis: m * 60_000, open: open, high: high, low: low, close: close,
                   volume: volume, quoteVolume: quoteVolume, trades: trades,
                   takerBuyVolume: volume * takerShare, takerBuyQuoteVolume: quoteVolume * takerShare)
    }

    /// Prices stay inside the live process's band (1e-8 … 1e6).
    static func clamp(_ price: Double) -> Double { min(max(price, 1e-8), 1e6) }

    @inline(__always) func unit(asset index: Int, key: Int64, stream: UInt64) -> Double {
        noise.unit(asset: index, key: key, stream: stream)
    }

    @inline(__always) func gaussian(asset index: Int, key: Int64, stream: UInt64) -> Double {
        noise.gaussian(asset: index, key: key, stream: stream)
    }

    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }
}

/// Keyed random draws: the same (asset, key, stream) always gives the same value.
struct HistoryNoise: Sendable {
    let seed: UInt64

    /// A uniform value in [0, 1) for (asset, key, stream): SplitMix64's finaliser over a mixed key.
    @inline(__always) func unit(asset index: Int, key: Int64, stream: UInt64) -> Double {
        var z = seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        z ^= UInt64(bitPattern: key) &* 0xD6E8_FEB8_6659_FD93
        z ^= stream &* 0xA076_1D64_78BD_642F
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    /// A standard normal variate (Box–Muller over two keyed uniforms).
    @inline(__always) func gaussian(asset index: Int, key: Int64, stream: UInt64) -> Double {
        let u1 = max(unit(asset: index, key: key, stream: stream &* 2 &+ 100), 1e-300)
        let u2 = unit(asset: index, key: key, stream: stream &* 2 &+ 101)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

}
