import CryptoVizCore

/// `GET /api/v1/assets/{asset}/indicators`: the candles' bucket starts and closes, and per
/// indicator its lines (one value per candle, null where it is not defined yet).
struct IndicatorsResponse: ExplicitJSONKeys {
    var asset: AssetID
    var interval: String
    var startMs: [Int64]
    var close: [Double]
    var indicators: [IndicatorSeriesDTO]

    enum CodingKeys: String, CodingKey { case asset, interval, startMs = "start_ms", close, indicators }
}

/// One indicator's lines: `value` for most, `upper`/`middle`/`lower` for Bollinger bands.
struct IndicatorSeriesDTO: Codable, Sendable {
    var key: String
    var lines: [String: [Double?]]
}
