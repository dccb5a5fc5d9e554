import Collectors
import CryptoVizCore
import Foundation

/// The bus message of one closed venue candle (Binance `k.x` true), on `crypto-raw-data` (the
/// lake path), keyed by asset; the stream processor commits it to the candles table:
///
///     {"schema_version":1,"type":"candle","produced_at_ms":…,"candle":{"source":"binance",
///      "asset":"bitcoin","pair":"BTCUSDT","quote_currency":"USDT","interval":"1m",
///      "open_time_ms":…,"close_time_ms":…,"open":…,"high":…,"low":…,"close":…,
///      "base_volume":…,"quote_volume":…,"trade_count":…,"event_time_ms":…}}
///
/// Only final bars travel: an open kline is a state the next message replaces. A few per
/// minute, so it is read with Foundation's decoder; it is written by hand like the others.
public struct CandleMessage: Sendable, Codable, Equatable {
    public struct Bar: Sendable, Codable, Equatable {
        public var source: ProviderID
        public var asset: AssetID
        public var pair: String
        public var quoteCurrency: String
        public var interval: String
        public var openTimeMillis: Int64
        public var closeTimeMillis: Int64
        public var open: Double
        public var high: Double
        public var low: Double
        public var close: Double
        public var baseVolume: Double
        public var quoteVolume: Double
        public var tradeCount: Int64?
        public var eventTimeMillis: Int64

        enum CodingKeys: String, CodingKey {
            case source, asset, pair, interval, open, high, low, close
            case quoteCurrency = "quote_currency"
            case openTimeMillis = "open_time_ms"
            case closeTimeMillis = "close_time_ms"
            case baseVolume = "base_volume"
            case quoteVolume = "quote_volume"
            case tradeCount = "trade_count"
            case eventTimeMillis = "event_time_ms"
        }
    }

    public var schemaVersion: Int
    public var type: String
    public var producedAtMillis: Int64
    public var candle: Bar

    public init(_ event: StreamCandle, asset: AssetID, producedAtMillis: Int64) {
        schemaVersion = TickMessage.currentSchemaVersion
        type = "candle"
        self.producedAtMillis = producedAtMillis
        let bar = event.bar
        candle = Bar(source: event.provider, asset: asset, pair: event.pair, quoteCurrency: event.quoteCurrency,
                     interval: event.interval, openTimeMillis: bar.openTimeMillis, closeTimeMillis: bar.closeTimeMillis,
                     open: bar.open, high: bar.high, low: bar.low, close: bar.close, baseVolume: bar.baseVolume,
                     quoteVolume: bar.quoteVolume, tradeCount: bar.tradeCount, eventTimeMillis: event.eventTimeMillis)
    }

    enum CodingKeys: String, CodingKey {
        case type, candle
        case schemaVersion = "schema_version"
        case producedAtMillis = "produced_at_ms"
    }

    public func encoded() throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 400)
        try MessageEnvelope.write(into: &out, schemaVersion: schemaVersion, type: type, producedAtMillis: producedAtMillis,
                                  bodyKey: "candle") { out in
            try out.object { out in
                out.member("source", candle.source.rawValue)
                out.member("asset", candle.asset.rawValue)
                out.member("pair", candle.pair)
                out.member("quote_currency", candle.quoteCurrency)
                out.member("interval", candle.interval)
                out.member("open_time_ms", candle.openTimeMillis)
                out.member("close_time_ms", candle.closeTimeMillis)
                try out.member("open", candle.open)
                try out.member("high", candle.high)
                try out.member("low", candle.low)
                try out.member("close", candle.close)
                try out.member("base_volume", candle.baseVolume)
                try out.member("quote_volume", candle.quoteVolume)
                out.member("trade_count", candle.tradeCount)
                out.member("event_time_ms", candle.eventTimeMillis)
            }
        }
        return out.bytes
    }

    /// Reads a candle message; anything else (another type, a bad field) is a decoding error.
    public static func decode(_ bytes: [UInt8]) throws(MessageDecodingError) -> CandleMessage {
        let message: CandleMessage
        do {
            message = try JSONDecoder().decode(CandleMessage.self, from: Data(bytes))
        } catch {
            throw MessageDecodingError(kind: .malformed, detail: "not a candle message: \(error)")
        }
        guard message.schemaVersion == TickMessage.currentSchemaVersion else {
            throw MessageDecodingError(kind: .unknownSchemaVersion, detail: "schema_version \(message.schemaVersion)")
        }
        guard message.type == "candle" else { throw MessageDecodingError(kind: .unknownType, detail: "type '\(message.type)'") }
        return message
    }
}
