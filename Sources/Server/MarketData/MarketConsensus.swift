import CryptoVizCore
import Lakehouse

/// Cross-source views computed by the Server from each source's latest tick.
///
/// The consensus price is the median of the sources' prices: with three or more sources one
/// stale or glitching source cannot move it, and with two it is their midpoint.
public enum MarketConsensus {
    /// The median of `values` (mean of the two middle values for an even count); nil if empty.
    public static func median(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// One consensus quote per asset, sorted by asset, from per-(asset, source) latest ticks.
    public static func quotes(from latest: [Tick]) -> [QuoteDTO] {
        Dictionary(grouping: latest, by: \.asset).sorted { $0.key < $1.key }.compactMap { asset, ticks in
            let bySource = ticks.sorted { $0.source < $1.source }
            guard let price = median(bySource.map(\.price)),
                let newest = bySource.max(by: { $0.sourceTimeMillis < $1.sourceTimeMillis })
            else { return nil }
            return QuoteDTO(
                asset: asset,
                symbol: newest.symbol,
                price: price,
                change1h: median(bySource.compactMap(\.change1h)),
                change24h: median(bySource.compactMap(\.change24h)),
                change7d: median(bySource.compactMap(\.change7d)),
                sourceTimeMs: newest.sourceTimeMillis,
                sources: bySource.map(SourceQuoteDTO.init)
            )
        }
    }

    /// The spread across sources of one asset's latest ticks; nil when there are none.
    public static func spread(asset: AssetID, latest: [Tick]) -> SpreadDTO? {
        let ticks = latest.filter { $0.asset == asset }.sorted { $0.source < $1.source }
        let prices = ticks.map(\.price)
        guard let consensus = median(prices), let low = prices.min(), let high = prices.max() else { return nil }
        let percent: (Double) -> Double = { consensus == 0 ? 0 : $0 / consensus * 100 }
        return SpreadDTO(
            asset: asset,
            consensusPrice: consensus,
            minPrice: low,
            maxPrice: high,
            spread: high - low,
            spreadPercent: percent(high - low),
            sources: ticks.map {
                SourceDeviationDTO(
                    source: $0.source, price: $0.price, deviationPercent: percent($0.price - consensus),
                    sourceTimeMs: $0.sourceTimeMillis)
            }
        )
    }

    /// OHLCV candles over `ticks` (any order); see `MarketDataSource.candles(_:)`.
    public static func candles(from ticks: [Tick], interval: CandleInterval) -> [CandleDTO] {
        let points = ticks.filter { $0.price.isFinite }
            .map { PricePoint(timeMillis: $0.sourceTimeMillis, source: $0.source, price: $0.price, volume24h: $0.volume24h) }
            .sorted { ($0.timeMillis, $0.source) < ($1.timeMillis, $1.source) }
        return candles(from: points, interval: interval)
    }

    /// Candles of points already ordered by (time, source), finite prices only. No volume:
    /// ticks carry a rolling 24 h figure, not what traded in the bucket, and an invented one
    /// made adjacent candles jump five-fold.
    public static func candles(from points: [PricePoint], interval: CandleInterval) -> [CandleDTO] {
        var candles: [CandleDTO] = []
        for point in points {
            let start = interval.bucketStart(point.timeMillis)
            if var last = candles.last, last.startMs == start {
                last.high = max(last.high, point.price)
                last.low = min(last.low, point.price)
                last.close = point.price
                last.tickCount += 1
                candles[candles.count - 1] = last
            } else {
                candles.append(CandleDTO(
                    startMs: start, open: point.price, high: point.price, low: point.price,
                    close: point.price, volume: nil, tickCount: 1))
            }
        }
        return candles
    }
}
