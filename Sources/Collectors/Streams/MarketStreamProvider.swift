import CryptoVizCore

/// A venue's WebSocket market streams: what to connect to and how to read a frame.
///
/// The stream counterpart of `MarketDataProvider`. An adapter only describes its connections
/// and parses frames; the hygiene every venue needs (watchdog, reconnect with backoff and
/// jitter, rotation before a venue's connection lifetime, duplicates across an overlap,
/// dead letters) lives once in `StreamSupervisor` and `StreamCollector`. Quotes it yields go
/// through the same `AssetDirectory` and `TickValidator` as polled ones.
public protocol MarketStreamProvider: Sendable {
    /// The provider's name, used as `Tick.source` and in health.
    var id: ProviderID { get }
    /// The WebSocket connections that together carry `subscription`, each within the venue's
    /// per-connection limits.
    func connections(for subscription: StreamSubscription) -> [StreamConnectionPlan]
    /// Parses one text frame. A frame that cannot be used at all throws (and is dead-lettered);
    /// a bad record inside a usable frame is a rejection in the result.
    func parse(_ frame: [UInt8]) throws(StreamFrameError) -> StreamFrame
}

/// What the collectors want from a venue's streams.
public struct StreamSubscription: Sendable, Hashable {
    /// Ticker updates for every pair (Binance `!miniTicker@arr`); the watch list filters them.
    public var allTickers: Bool
    /// Upper-case base tickers of the watched assets, best rank first, for venues whose ticker
    /// channel takes explicit symbols (Kraken); empty until the directory is known.
    public var tickerSymbols: [String]
    /// Upper-case base tickers whose trades to stream ("BTC", "ETH").
    public var tradeSymbols: [String]
    /// Upper-case base tickers whose 1-minute candles to stream.
    public var klineSymbols: [String]

    public init(allTickers: Bool = true, tickerSymbols: [String] = [], tradeSymbols: [String] = [], klineSymbols: [String] = []) {
        self.allTickers = allTickers
        self.tickerSymbols = tickerSymbols
        self.tradeSymbols = tradeSymbols
        self.klineSymbols = klineSymbols
    }
}

/// One WebSocket connection to open: its URL and the messages to send once it is open
/// (venues that subscribe in-band; empty for Binance's combined-stream URLs).
public struct StreamConnectionPlan: Sendable, Hashable {
    /// Short name for logs and health ("binance#0").
    public var label: String
    public var url: String
    public var subscribeMessages: [String]
    /// Streams this connection carries, for health and the per-connection limit.
    public var streams: [String]

    public init(label: String, url: String, subscribeMessages: [String] = [], streams: [String]) {
        self.label = label
        self.url = url
        self.subscribeMessages = subscribeMessages
        self.streams = streams
    }
}
