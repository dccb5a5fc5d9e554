import Collectors
import CryptoVizCore
import Foundation

/// The bus message of one streamed trade, keyed by asset, on both topics: `crypto-streaming`
/// (the live path) and `crypto-raw-data` (the lake path, which the stream processor commits to
/// the trades table):
///
///     {"schema_version":1,"type":"trade","produced_at_ms":…,"trade":{"source":"binance",
///      "asset":"bitcoin","pair":"BTCUSDT","base":"BTC","quote_currency":"USDT","trade_id":…,
///      "price":…,"quantity":…,"buyer_is_maker":false,"trade_time_ms":…,"event_time_ms":…}}
///
/// `buyer_is_maker` true means the taker sold. Consumers that read ticks from the same topics
/// skip it by its `type` (the hot tail) or read it with `decode` (the processor).
public struct TradeMessage: Sendable, Codable, Hashable {
    /// The trade object: the normalized `Trade`, whose `CodingKeys` are the wire's.
    public typealias Trade = CryptoVizCore.Trade

    public var schemaVersion: Int
    public var type: String
    public var producedAtMillis: Int64
    public var trade: Trade

    public init(trade: Trade, producedAtMillis: Int64) {
        schemaVersion = TickMessage.currentSchemaVersion
        type = "trade"
        self.producedAtMillis = producedAtMillis
        self.trade = trade
    }

    public init(_ event: TradeEvent, asset: AssetID, producedAtMillis: Int64) {
        self.init(trade: Trade(source: event.provider, asset: asset, pair: event.pair, base: event.base,
                               quoteCurrency: event.quoteCurrency, tradeID: event.tradeID, price: event.price,
                               quantity: event.quantity, buyerIsMaker: event.buyerIsMaker,
                               tradeTimeMillis: event.tradeTimeMillis, eventTimeMillis: event.eventTimeMillis),
                  producedAtMillis: producedAtMillis)
    }

    enum CodingKeys: String, CodingKey {
        case type, trade
        case schemaVersion = "schema_version"
        case producedAtMillis = "produced_at_ms"
    }

    /// The message's JSON, written field by field (a trade stream runs per event).
    public func encoded() throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 320)
        try MessageEnvelope.write(into: &out, schemaVersion: schemaVersion, type: type, producedAtMillis: producedAtMillis,
                                  bodyKey: "trade") { out in
            try out.object { out in
                out.member("source", trade.source.rawValue)
                out.member("asset", trade.asset.rawValue)
                out.member("pair", trade.pair)
                out.member("base", trade.base)
                out.member("quote_currency", trade.quoteCurrency)
                out.member("trade_id", trade.tradeID)
                try out.member("price", trade.price)
                try out.member("quantity", trade.quantity)
                out.member("buyer_is_maker", trade.buyerIsMaker)
                out.member("trade_time_ms", trade.tradeTimeMillis)
                out.member("event_time_ms", trade.eventTimeMillis)
            }
        }
        return out.bytes
    }

    /// Reads a trade message, in one pass over its bytes (the processor reads every trade);
    /// anything else (another type, a missing or mistyped field) is a decoding error.
    public static func decode(_ bytes: [UInt8]) throws(MessageDecodingError) -> TradeMessage {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MessageDecodingError) in
            let read = try MessageEnvelope.read(buffer, type: "trade") { (reader: inout JSONByteReader) throws(MessageDecodingError) in
                try readTrade(&reader)
            }
            var message = TradeMessage(trade: read.body, producedAtMillis: read.producedAtMillis)
            message.schemaVersion = read.schemaVersion
            return message
        }
    }

    enum Field: Sendable {
        case source, asset, pair, base, quoteCurrency, tradeID, price, quantity, buyerIsMaker, tradeTime, eventTime
    }

    static let fields = WireKeys<Field>(object: "trade", table: [
        ("source", .source), ("asset", .asset), ("pair", .pair), ("base", .base), ("quote_currency", .quoteCurrency),
        ("trade_id", .tradeID), ("price", .price), ("quantity", .quantity), ("buyer_is_maker", .buyerIsMaker),
        ("trade_time_ms", .tradeTime), ("event_time_ms", .eventTime),
    ])

    private static func readTrade(_ reader: inout JSONByteReader) throws(MessageDecodingError) -> Trade {
        var source, asset, pair, base, quoteCurrency: String?
        var price, quantity: Double?
        var tradeID, tradeTime, eventTime: Int64?
        var buyerIsMaker: Bool?
        try fields.read(&reader) { (field, reader: inout JSONByteReader) throws(JSONByteReader.Failure) in
            switch field {
            case .source: source = try reader.readString()
            case .asset: asset = try reader.readString()
            case .pair: pair = try reader.readString()
            case .base: base = try reader.readString()
            case .quoteCurrency: quoteCurrency = try reader.readString()
            case .tradeID: tradeID = try reader.readInt64()
            case .price: price = try reader.readDouble()
            case .quantity: quantity = try reader.readDouble()
            case .buyerIsMaker: buyerIsMaker = try reader.readBool()
            case .tradeTime: tradeTime = try reader.readInt64()
            case .eventTime: eventTime = try reader.readInt64()
            }
        }
        guard let source else { throw fields.missing("source") }
        guard let asset else { throw fields.missing("asset") }
        guard let pair else { throw fields.missing("pair") }
        guard let base else { throw fields.missing("base") }
        guard let quoteCurrency else { throw fields.missing("quote_currency") }
        guard let tradeID else { throw fields.missing("trade_id") }
        guard let price else { throw fields.missing("price") }
        guard let quantity else { throw fields.missing("quantity") }
        guard let buyerIsMaker else { throw fields.missing("buyer_is_maker") }
        guard let tradeTime else { throw fields.missing("trade_time_ms") }
        guard let eventTime else { throw fields.missing("event_time_ms") }
        return Trade(source: ProviderID(source), asset: AssetID(asset), pair: pair, base: base, quoteCurrency: quoteCurrency,
                     tradeID: tradeID, price: price, quantity: quantity, buyerIsMaker: buyerIsMaker,
                     tradeTimeMillis: tradeTime, eventTimeMillis: eventTime)
    }
}
