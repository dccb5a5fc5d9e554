/// The last price of each of the latest `span + 1` minutes of one series, in a ring: the
/// reference of a `change` rule is the close `span` minutes before the current minute.
///
/// A minute with no tick closes at the previous minute's price (carried forward when a later
/// minute arrives; at most the ring's size per gap, so O(1) amortized per tick).
struct MinuteCloses: Sendable {
    private var minutes: [Int64]
    private var closes: [Double]
    private(set) var latestMinute: Int64 = .min

    init(span: Int) {
        minutes = Array(repeating: .min, count: span + 1)
        closes = Array(repeating: 0, count: span + 1)
    }

    private func slot(_ minute: Int64) -> Int { Int(minute.floorMod(Int64(minutes.count))) }

    /// Records a price in `minute`; returns false (and records nothing) for a minute older than
    /// the latest: a late tick must not rewrite a closed minute.
    mutating func record(_ price: Double, minute: Int64) -> Bool {
        if minute < latestMinute { return false }
        if minute > latestMinute, latestMinute != .min {
            let carried = closes[slot(latestMinute)]
            var m = max(latestMinute + 1, minute - Int64(minutes.count) + 1)
            while m < minute {
                minutes[slot(m)] = m
                closes[slot(m)] = carried
                m += 1
            }
        }
        minutes[slot(minute)] = minute
        closes[slot(minute)] = price
        latestMinute = minute
        return true
    }

    /// The close of `minute` when it is still in the ring.
    func close(at minute: Int64) -> Double? {
        let s = slot(minute)
        return minutes[s] == minute ? closes[s] : nil
    }
}

extension Int64 {
    /// The remainder with the sign of the divisor (minutes before 1970 still map into the ring).
    func floorMod(_ n: Int64) -> Int64 { ((self % n) + n) % n }
}
