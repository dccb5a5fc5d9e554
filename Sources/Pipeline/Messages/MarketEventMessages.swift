import Collectors
import CryptoVizCore
import Foundation

/// The bus message of one streamed trade, on `crypto-streaming` (the live path), keyed by asset:
///
///     {"schema_version":1,"type":"trade","produced_at_ms":…,"trade":{"source":"binance",
///      "asset":"bitcoin","pair":"BTCUSDT","base":"BTC","quote_currency":"USDT","trade_id":…,
///      "price":…,"quantity":…,"buyer_is_maker":false,"trade_time_ms":…,"event_time_ms":…}}
///
/// `buyer_is_maker` true means the taker sold. Consumers that read ticks from the same topic
/// (the hot tail) skip it by its `type`.
public struct TradeMessage: Sendable, Codable, Equatable {
    public struct Trade: Sendable, Codable, Equatable {
        public var source: ProviderID
        public var asset: AssetID
        public var pair: String
        public var base: String
        public var quoteCurrency: String
        public var tradeID: Int64
        public var price: Double
        public var quantity: Double
        public var buyerIsMaker: Bool
        public var tradeTimeMillis: Int64
        public var eventTimeMillis: Int64

        enum CodingKeys: String, CodingKey {
            case source, asset, pair, base, price, quantity
            case quoteCurrency = "quote_currency"
            case tradeID = "trade_id"
            case buyerIsMaker = "buyer_is_maker"
            case tradeTimeMillis = "trade_time_ms"
            case eventTimeMillis = "event_time_ms"
        }
    }

    public var schemaVersion: Int
    public var type: String
    public var producedAtMillis: Int64
    public var trade: Trade

    public init(_ event: TradeEvent, asset: AssetID, producedAtMillis: Int64) {
        schemaVersion = TickMessage.currentSchemaVersion
        type = "trade"
        self.producedAtMillis = producedAtMillis
        trade = Trade(source: event.provider, asset: asset, pair: event.pair, base: event.base, quoteCurrency: event.quoteCurrency,
                      tradeID: event.tradeID, price: event.price, quantity: event.quantity, buyerIsMaker: event.buyerIsMaker,
                      tradeTimeMillis: event.tradeTimeMillis, eventTimeMillis: event.eventTimeMillis)
    }

    enum CodingKeys: String, CodingKey {
        case type, trade
        case schemaVersion = "schema_version"
        case producedAtMillis = "produced_at_ms"
    }

    /// The message's JSON, written field by field (a trade stream runs per event).
    public func encoded() throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 320)
        out.raw("{\"schema_version\":")
        out.int(Int64(schemaVersion))
        out.raw(",\"type\":\"trade\",\"produced_at_ms\":")
        out.int(producedAtMillis)
        out.raw(",\"trade\":{\"source\":")
        out.string(trade.source.rawValue)
        out.raw(",\"asset\":")
        out.string(trade.asset.rawValue)
        out.raw(",\"pair\":")
        out.string(trade.pair)
        out.raw(",\"base\":")
        out.string(trade.base)
        out.raw(",\"quote_currency\":")
        out.string(trade.quoteCurrency)
        out.raw(",\"trade_id\":")
        out.int(trade.tradeID)
        out.raw(",\"price\":")
        try out.double(trade.price, field: "price")
        out.raw(",\"quantity\":")
        try out.double(trade.quantity, field: "quantity")
        out.raw(trade.buyerIsMaker ? ",\"buyer_is_maker\":true" : ",\"buyer_is_maker\":false")
        out.raw(",\"trade_time_ms\":")
        out.int(trade.tradeTimeMillis)
        out.raw(",\"event_time_ms\":")
        out.int(trade.eventTimeMillis)
        out.raw("}}")
        return out.bytes
    }
}

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
        let bar = candle
        var out = JSONByteWriter(capacity: 400)
        out.raw("{\"schema_version\":")
        out.int(Int64(schemaVersion))
        out.raw(",\"type\":\"candle\",\"produced_at_ms\":")
        out.int(producedAtMillis)
        out.raw(",\"candle\":{\"source\":")
        out.string(bar.source.rawValue)
        out.raw(",\"asset\":")
        out.string(bar.asset.rawValue)
        out.raw(",\"pair\":")
        out.string(bar.pair)
        out.raw(",\"quote_currency\":")
        out.string(bar.quoteCurrency)
        out.raw(",\"interval\":")
        out.string(bar.interval)
        out.raw(",\"open_time_ms\":")
        out.int(bar.openTimeMillis)
        out.raw(",\"close_time_ms\":")
        out.int(bar.closeTimeMillis)
        out.raw(",\"open\":")
        try out.double(bar.open, field: "open")
        out.raw(",\"high\":")
        try out.double(bar.high, field: "high")
        out.raw(",\"low\":")
        try out.double(bar.low, field: "low")
        out.raw(",\"close\":")
        try out.double(bar.close, field: "close")
        out.raw(",\"base_volume\":")
        try out.double(bar.baseVolume, field: "base_volume")
        out.raw(",\"quote_volume\":")
        try out.double(bar.quoteVolume, field: "quote_volume")
        if let count = bar.tradeCount {
            out.raw(",\"trade_count\":")
            out.int(count)
        }
        out.raw(",\"event_time_ms\":")
        out.int(bar.eventTimeMillis)
        out.raw("}}")
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
