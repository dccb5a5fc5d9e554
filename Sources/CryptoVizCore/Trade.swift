/// One executed trade of one asset on one venue, under the asset's canonical id: what the bus's
/// trade message carries and a row of the lake's `trades` table holds.
///
/// A venue's stream reports it without the canonical id (the collectors' `TradeEvent`); the
/// asset directory adds it before it leaves the collector.
public struct Trade: Sendable, Hashable, Codable {
    /// The venue.
    public var source: ProviderID
    public var asset: AssetID
    /// The venue's pair, upper case ("BTCUSDT", "BTC-USD").
    public var pair: String
    /// The venue's base ticker ("BTC").
    public var base: String
    public var quoteCurrency: String
    /// The venue's trade id: unique and increasing per pair.
    public var tradeID: Int64
    public var price: Double
    /// Base amount traded.
    public var quantity: Double
    /// True when the buyer was the resting (maker) order: the taker sold.
    public var buyerIsMaker: Bool
    /// When the venue matched it (Unix ms, UTC).
    public var tradeTimeMillis: Int64
    /// When the venue sent the event that reported it (Unix ms, UTC).
    public var eventTimeMillis: Int64

    public init(source: ProviderID, asset: AssetID, pair: String, base: String, quoteCurrency: String, tradeID: Int64,
                price: Double, quantity: Double, buyerIsMaker: Bool, tradeTimeMillis: Int64, eventTimeMillis: Int64) {
        self.source = source
        self.asset = asset
        self.pair = pair
        self.base = base
        self.quoteCurrency = quoteCurrency
        self.tradeID = tradeID
        self.price = price
        self.quantity = quantity
        self.buyerIsMaker = buyerIsMaker
        self.tradeTimeMillis = tradeTimeMillis
        self.eventTimeMillis = eventTimeMillis
    }

    /// The dedupe key: a trade reported again (a reconnect's overlap, a gap repair's refetch,
    /// a replay) is the same trade.
    public var identity: TradeIdentity { TradeIdentity(source: source, pair: pair, tradeID: tradeID) }

    enum CodingKeys: String, CodingKey {
        case source, asset, pair, base, price, quantity
        case quoteCurrency = "quote_currency"
        case tradeID = "trade_id"
        case buyerIsMaker = "buyer_is_maker"
        case tradeTimeMillis = "trade_time_ms"
        case eventTimeMillis = "event_time_ms"
    }
}

/// The identity of one trade: (venue, venue pair, trade id). Not the asset: the venue's ids
/// are per pair, and the pair is what the venue itself names.
public struct TradeIdentity: Sendable, Hashable, CustomStringConvertible {
    public var source: ProviderID
    public var pair: String
    public var tradeID: Int64

    public init(source: ProviderID, pair: String, tradeID: Int64) {
        self.source = source
        self.pair = pair
        self.tradeID = tradeID
    }

    /// `source|pair|tradeID`, as tools outside the process spell it.
    public var description: String { "\(source.rawValue)|\(pair)|\(tradeID)" }
}
