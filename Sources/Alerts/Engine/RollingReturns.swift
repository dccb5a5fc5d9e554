import Foundation

/// The returns of one series over the last `window` closed periods (a period is the rule's
/// `return_seconds`, a minute by default), with their running sum and sum of squares, for an
/// `anomaly` rule's z-score.
///
/// A period closes when a tick of a later period arrives; its return is its close over the
/// previous close. Periods with no tick have a return of 0 (the price did not move as far as
/// anyone saw), at most `window` of them per gap. The sums are recomputed from the ring every
/// `window` pushes so floating-point drift cannot accumulate: O(1) amortized per tick.
struct RollingReturns: Sendable {
    private var ring: [Double]
    private var next = 0
    private(set) var count = 0
    private var sum = 0.0
    private var sumOfSquares = 0.0
    private var pushesSinceRecompute = 0
    private var currentMinute: Int64 = .min
    private var currentClose = 0.0
    private var previousClose: Double?

    /// Returns a z-score needs before it means anything: the whole window when it is shorter.
    static let warmUp = 20

    init(window: Int) {
        ring = Array(repeating: 0, count: window)
    }

    /// Records a price in `period` (source time over the period's length) and returns the
    /// z-score of the current period's return so far against the window, once the window holds
    /// `warmUp` returns (all of it when shorter); nil before, and for late ticks.
    mutating func record(_ price: Double, period minute: Int64) -> Double? {
        if minute < currentMinute { return nil }
        if minute > currentMinute {
            if currentMinute != .min {
                if let previousClose, previousClose > 0 { push(currentClose / previousClose - 1) }
                let gap = min(minute - currentMinute - 1, Int64(ring.count))
                if previousClose != nil { for _ in 0..<gap { push(0) } }
                previousClose = currentClose
            }
            currentMinute = minute
        }
        currentClose = price
        guard count >= min(ring.count, Self.warmUp), let previousClose, previousClose > 0 else { return nil }
        let r = price / previousClose - 1
        let n = Double(count)
        let mean = sum / n
        let deviation = (max(sumOfSquares / n - mean * mean, 0)).squareRoot()
        // A perfectly flat window has no spread; a floor keeps the first move finite and huge.
        let z = abs(r - mean) / max(deviation, 1e-9)
        return min(z, 1e6)
    }

    private mutating func push(_ r: Double) {
        if count == ring.count {
            let old = ring[next]
            sum -= old
            sumOfSquares -= old * old
        } else {
            count += 1
        }
        ring[next] = r
        sum += r
        sumOfSquares += r * r
        next = (next + 1) % ring.count
        pushesSinceRecompute += 1
        if pushesSinceRecompute >= ring.count {
            pushesSinceRecompute = 0
            sum = 0
            sumOfSquares = 0
            for i in 0..<count {
                let v = ring[(next - count + i + ring.count) % ring.count]
                sum += v
                sumOfSquares += v * v
            }
        }
    }
}
