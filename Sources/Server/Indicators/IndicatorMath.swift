import Foundation

/// The indicators' arithmetic over series of candles (see `Indicator` for the definitions).
/// Windows are summed afresh at each position rather than kept as running sums: a running sum
/// of squares loses the variance of prices near 1e5 to cancellation, and windows are short.
enum IndicatorMath {
    static func sma(_ x: [Double], _ n: Int) -> [Double?] {
        x.indices.map { i in i + 1 < n ? nil : mean(x[(i + 1 - n)...i]) }
    }

    static func ema(_ x: [Double], _ n: Int) -> [Double?] {
        let alpha = 2 / (Double(n) + 1)
        var out: [Double?] = []
        out.reserveCapacity(x.count)
        var value = 0.0
        for (i, v) in x.enumerated() {
            value = i == 0 ? v : value + alpha * (v - value)
            out.append(value)
        }
        return out
    }

    /// (upper, middle, lower).
    static func bollinger(_ x: [Double], _ n: Int, _ k: Double) -> (upper: [Double?], middle: [Double?], lower: [Double?]) {
        var upper: [Double?] = [], middle: [Double?] = [], lower: [Double?] = []
        for i in x.indices {
            guard i + 1 >= n else {
                upper.append(nil); middle.append(nil); lower.append(nil)
                continue
            }
            let window = x[(i + 1 - n)...i]
            let m = mean(window)
            let sd = (window.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n)).squareRoot()
            upper.append(m + k * sd); middle.append(m); lower.append(m - k * sd)
        }
        return (upper, middle, lower)
    }

    static func rsi(_ x: [Double], _ n: Int) -> [Double?] {
        let alpha = 1 / Double(n)
        var out: [Double?] = x.isEmpty ? [] : [nil]
        var gain = 0.0, loss = 0.0
        for i in x.indices.dropFirst() {
            let change = x[i] - x[i - 1]
            let up = max(change, 0), down = max(-change, 0)
            if i == 1 {
                gain = up
                loss = down
            } else {
                gain += alpha * (up - gain)
                loss += alpha * (down - loss)
            }
            // n changes seen (pandas' min_periods counts the non-missing ones).
            guard i >= n else {
                out.append(nil)
                continue
            }
            if loss == 0 {
                out.append(gain == 0 ? nil : 100)
            } else {
                out.append(100 - 100 / (1 + gain / loss))
            }
        }
        return out
    }

    static func vwap(high: [Double], low: [Double], close: [Double], volume: [Double?]) -> [Double?] {
        var weighted = 0.0, total = 0.0
        return close.indices.map { i in
            if let v = volume[i], v.isFinite {
                weighted += (high[i] + low[i] + close[i]) / 3 * v
                total += v
            }
            return total > 0 ? weighted / total : nil
        }
    }

    /// `barsPerYear`: candles in 365 days at the request's interval.
    static func volatility(_ x: [Double], _ n: Int, barsPerYear: Double) -> [Double?] {
        let returns: [Double?] = x.indices.map { i in i == 0 ? nil : log(x[i] / x[i - 1]) }
        return x.indices.map { i in
            guard i >= n else { return nil }
            var window: [Double] = []
            for r in returns[(i + 1 - n)...i] {
                guard let r, r.isFinite else { return nil }
                window.append(r)
            }
            let m = mean(window[...])
            let variance = window.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
            return variance.squareRoot() * barsPerYear.squareRoot()
        }
    }

    private static func mean(_ window: ArraySlice<Double>) -> Double {
        window.reduce(0, +) / Double(window.count)
    }
}
