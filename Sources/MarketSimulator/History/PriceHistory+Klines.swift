/// Bars of any width, Binance style: buckets aligned on multiples of the width since the epoch,
/// each the aggregate of the minute bars inside it; a bucket without any minute bar (before the
/// listing, inside an outage) is absent, not zero.
extension PriceHistory {
    /// Up to `limit` bars of `widthMinutes` whose open minute lies in `openMinutes`, ascending.
    /// With `nowMillis`, nothing after now exists: the current minute's bar is the open one
    /// (closing at the live price, volumes so far) and the current bucket aggregates only the
    /// minutes up to it.
    public func bars(asset index: Int, widthMinutes: Int64, openMinutes: ClosedRange<Int64>, limit: Int, nowMillis: Int64? = nil) -> [Bar] {
        precondition(widthMinutes > 0)
        var result: [Bar] = []
        result.reserveCapacity(min(limit, 1000))
        var cursor = openMinutes.lowerBound
        let listed = Self.floorDiv(listingMinute[index], widthMinutes) * widthMinutes
        if cursor < listed { cursor = listed }
        var upper = openMinutes.upperBound + widthMinutes
        if let nowMillis { upper = min(upper, Self.floorDiv(nowMillis, 60_000) + 1) }
        while result.count < limit, cursor <= openMinutes.upperBound, cursor < upper {
            let buckets = Int64(limit - result.count)
            let end = min(upper, cursor + buckets * widthMinutes)
            var minutes = minuteBars(asset: index, minutes: cursor..<end)
            if let nowMillis, let last = minutes.last, last.openTimeMillis == Self.floorDiv(nowMillis, 60_000) * 60_000 {
                minutes[minutes.count - 1] = Self.open(last, fraction: Double(nowMillis - last.openTimeMillis) / 60_000)
            }
            if widthMinutes == 1 {
                result += minutes.prefix(limit - result.count)
            } else {
                var start = 0
                while start < minutes.count, result.count < limit {
                    let bucket = Self.floorDiv(minutes[start].openTimeMillis / 60_000, widthMinutes)
                    var stop = start + 1
                    while stop < minutes.count, Self.floorDiv(minutes[stop].openTimeMillis / 60_000, widthMinutes) == bucket { stop += 1 }
                    result.append(Self.aggregate(minutes[start..<stop], openMinute: bucket * widthMinutes))
                    start = stop
                }
            }
            cursor = end
        }
        return result
    }

    /// The bar of the current minute, `fraction` of the way through: its close is the live
    /// price (the log-linear path from open to the minute's end) and its volumes are pro-rated.
    static func open(_ bar: Bar, fraction: Double) -> Bar {
        var bar = bar
        let f = min(max(fraction, 0), 1)
        bar.close = clamp(bar.open * _exp(f * _log(bar.close / bar.open)))
        bar.volume *= f
        bar.quoteVolume *= f
        bar.trades = Int(Double(bar.trades) * f)
        bar.takerBuyVolume *= f
        bar.takerBuyQuoteVolume *= f
        return bar
    }

    static func aggregate(_ minutes: ArraySlice<Bar>, openMinute: Int64) -> Bar {
        var bar = minutes[minutes.startIndex]
        bar.openTimeMillis = openMinute * 60_000
        for m in minutes.dropFirst() {
            bar.high = max(bar.high, m.high)
            bar.low = min(bar.low, m.low)
            bar.close = m.close
            bar.volume += m.volume
            bar.quoteVolume += m.quoteVolume
            bar.trades += m.trades
            bar.takerBuyVolume += m.takerBuyVolume
            bar.takerBuyQuoteVolume += m.takerBuyQuoteVolume
        }
        return bar
    }
}
