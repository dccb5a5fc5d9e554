import CryptoVizCore
import Lakehouse

/// Indicators over a run of candles, computed from the warm-up candles on and returned for
/// the candles from `firstShown` on.
enum IndicatorSeries {
    static func compute(_ indicators: [Indicator], candles: [CandleDTO], firstShown: Int,
                        interval: CandleInterval) -> [IndicatorSeriesDTO] {
        let close = candles.map(\.close)
        let barsPerYear = 365 * 86_400_000 / Double(interval.millis)
        func shown(_ values: [Double?]) -> [Double?] {
            values[firstShown...].map { v in v.flatMap { $0.isFinite ? $0 : nil } }
        }
        return indicators.map { indicator in
            let lines: [String: [Double?]]
            switch indicator {
            case .sma(let n): lines = ["value": shown(IndicatorMath.sma(close, n))]
            case .ema(let n): lines = ["value": shown(IndicatorMath.ema(close, n))]
            case .rsi(let n): lines = ["value": shown(IndicatorMath.rsi(close, n))]
            case .volatility(let n): lines = ["value": shown(IndicatorMath.volatility(close, n, barsPerYear: barsPerYear))]
            case .vwap:
                // Cumulative over the range shown, not the warm-up.
                let part = Array(candles[firstShown...])
                lines = ["value": IndicatorMath.vwap(high: part.map(\.high), low: part.map(\.low), close: part.map(\.close),
                                                     volume: part.map(\.volume)).map { v in v.flatMap { $0.isFinite ? $0 : nil } }]
            case .bollinger(let n, let k):
                let bands = IndicatorMath.bollinger(close, n, k)
                lines = ["upper": shown(bands.upper), "middle": shown(bands.middle), "lower": shown(bands.lower)]
            }
            return IndicatorSeriesDTO(key: indicator.key, lines: lines)
        }
    }
}
