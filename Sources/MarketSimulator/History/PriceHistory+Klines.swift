/// Bars of any width, Binance style: buckets aligned on multiples of the width since the epoch,
/// each the aggregate of the minute bars inside it; a bucket without any minute bar (before the
/// listing, inside an outage) is absent, not zero.
extension PriceHistory {
    /// Up to `limit` bars of `widthMinutes` whose open minute lies in `openMinutes`, ascending.
    public func bars(asset index: Int, widthMinutes: Int64, openMinutes: ClosedRange<Int64>, limit: Int) -> [Bar] {
        precondition(widthMinutes > 0)
        var result: [Bar] = []
        result.reserveCapacity(min(limit, 1000))
        var cursor = openMinutes.lowerBound
        let listed = Self.floorDiv(listingMinute[index], widthMinutes) * widthMinutes
        if cursor < listed { cursor = listed }
        while result.count < limit, cursor <= openMinutes.upperBound {
            let buckets = Int64(limit - result.count)
            let end = min(openMinutes.upperBound + widthMinutes, cursor + buckets * widthMinutes)
            let minutes = minuteBars(asset: index, minutes: cursor..<end)
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
