import CryptoVizCore

/// One normalized event from a venue's market stream, before identity resolution.
///
/// Quotes go through the same `AssetDirectory` + `TickValidator` path as polled ones (they
/// become `Tick`s); trades and candles keep the venue's pair and are keyed by their own
/// identity (trade id, candle open time).
public enum StreamEvent: Sendable, Hashable {
    /// Ticker values of one or more pairs (Binance `!miniTicker@arr` carries many per frame).
    case quotes([SourceQuote])
    case trade(TradeEvent)
    case candle(StreamCandle)
}

/// One executed trade as the venue reported it.
public struct TradeEvent: Sendable, Hashable {
    public var provider: ProviderID
    /// The venue's pair, upper case ("BTCUSDT").
    public var pair: String
    /// Base asset ticker ("BTC"), resolved to a canonical id by the directory downstream.
    public var base: String
    public var quoteCurrency: String
    /// The venue's trade id: unique and increasing per pair, the event's identity.
    public var tradeID: Int64
    public var price: Double
    public var quantity: Double
    /// True when the buyer was the resting (maker) order, i.e. the taker sold.
    public var buyerIsMaker: Bool
    public var tradeTimeMillis: Int64
    public var eventTimeMillis: Int64

    public init(provider: ProviderID, pair: String, base: String, quoteCurrency: String, tradeID: Int64,
                price: Double, quantity: Double, buyerIsMaker: Bool, tradeTimeMillis: Int64, eventTimeMillis: Int64) {
        self.provider = provider
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
}

/// A 1-minute candle from a kline stream; `isFinal` once the venue closed it (`k.x`).
///
/// The bar itself is a `HistoryBar`, the same value backfill pages from the venue's REST
/// history, so both reach the candles table through one conversion (`CandleRecord`).
public struct StreamCandle: Sendable, Hashable {
    public var provider: ProviderID
    public var pair: String
    public var base: String
    public var quoteCurrency: String
    /// Interval as the venue spells it ("1m").
    public var interval: String
    public var bar: HistoryBar
    public var isFinal: Bool
    public var eventTimeMillis: Int64

    public init(provider: ProviderID, pair: String, base: String, quoteCurrency: String, interval: String,
                bar: HistoryBar, isFinal: Bool, eventTimeMillis: Int64) {
        self.provider = provider
        self.pair = pair
        self.base = base
        self.quoteCurrency = quoteCurrency
        self.interval = interval
        self.bar = bar
        self.isFinal = isFinal
        self.eventTimeMillis = eventTimeMillis
    }
}
