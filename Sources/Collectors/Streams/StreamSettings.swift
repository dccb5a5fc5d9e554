import CryptoVizCore

/// How one venue's streams are reached and kept healthy. Every limit is configurable; the
/// defaults are the venue's documented ones (PROVIDERS.md, Binance WebSocket streams).
public struct StreamSettings: Sendable, Hashable {
    /// Base of the stream endpoint (`wss://stream.binance.com:9443`); the adapter appends paths.
    public var baseURL: String
    /// No frame at all for this long means a silent stall: the connection is dropped and
    /// replaced. Binance's `!miniTicker@arr` arrives every second, so 10 s is many missed beats.
    public var watchdog: Duration = .seconds(10)
    /// A connection is replaced (the new one opened first) once it is this old: Binance closes
    /// connections at 24 h, so rotate well before.
    public var maxConnectionAge: Duration = .seconds(23 * 3600)
    /// How long the replaced connection may stay open waiting for its successor's first frame.
    public var handoverTimeout: Duration = .seconds(30)
    /// Reconnect backoff: full jitter in [0, min(max, base·2ⁿ)).
    public var reconnect: RetryPolicy = .init(maxAttempts: Int.max, baseDelay: .milliseconds(250), maxDelay: .seconds(30))
    /// New connections per IP, across all of the venue's connections (Binance: 300 per 5 minutes).
    /// A connection that delivers and dies at once resets the backoff; this still holds the rate.
    public var connectionLimit = RateLimit(capacity: 300, per: .seconds(300))
    /// Messages this client sends per second at most (Binance: 5 incoming messages per second,
    /// pongs included), for venues that subscribe in-band.
    public var maxOutgoingMessagesPerSecond: Int = 4
    /// Binance: at most 1 024 streams per connection.
    public var maxStreamsPerConnection: Int = 1024
    /// Largest message accepted; `!miniTicker@arr` over ~2 000 pairs is a few hundred KiB.
    public var maxMessageBytes: Int = 4 << 20
    /// How long a close handshake may take before the socket is dropped (a stalled peer may
    /// never answer the close frame).
    public var closeTimeout: Duration = .seconds(2)
    /// Base tickers whose trade and 1-minute kline streams are subscribed.
    public var tradeSymbols: [String] = ["BTC", "ETH"]
    public var klineSymbols: [String] = ["BTC", "ETH"]
    /// Trade ids remembered per pair to drop duplicates across a reconnect overlap.
    public var dedupeWindow: Int = 50_000

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// Binance spot public streams (developers.binance.com/docs/binance-spot-api-docs/web-socket-streams).
    public static let binance = StreamSettings(baseURL: BinanceStreamProvider.defaultBaseURL)

    /// Kraken spot WebSocket v2 (docs.kraken.com/api/docs/websocket-v2): heartbeats every
    /// second keep a quiet ticker alive for the watchdog; no documented connection lifetime,
    /// so rotation is daily; no trades or klines are subscribed.
    public static let kraken: StreamSettings = {
        var settings = StreamSettings(baseURL: KrakenStreamProvider.defaultBaseURL)
        settings.tradeSymbols = []
        settings.klineSymbols = []
        return settings
    }()

    /// Coinbase Exchange feed (docs.cdp.coinbase.com/exchange/websocket-feed): `heartbeat` every
    /// second per product keeps the watchdog fed; one subscribe message per product, paced at
    /// 20 per second (a watch list of 60 coins is subscribed in 3 s, the first message at once,
    /// inside the venue's 5 s); the trade list's tickers are read as trades too; no klines.
    public static let coinbase: StreamSettings = {
        var settings = StreamSettings(baseURL: CoinbaseStreamProvider.defaultBaseURL)
        settings.maxOutgoingMessagesPerSecond = 20
        settings.klineSymbols = []
        return settings
    }()
}
