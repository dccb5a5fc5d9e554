/// A request budget: at most `capacity` weight units in any `window`.
///
/// Weight is 1 per call for CoinGecko, CoinMarketCap, Coinbase and Kraken and the documented
/// request weight for Binance (80 for `/api/v3/ticker/24hr` without symbols).
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var capacity: Int
    public var window: Duration

    public init(capacity: Int, per window: Duration) {
        self.capacity = max(1, capacity)
        self.window = window
    }

    /// CoinGecko keyless public tier: documented "roughly 10–30 calls/minute, varying with
    /// load"; 10 is the conservative end (docs.coingecko.com, "Rate limit").
    public static let coinGeckoPublic = RateLimit(capacity: 10, per: .seconds(60))
    /// CoinGecko Demo plan: 30 calls/minute.
    public static let coinGeckoDemo = RateLimit(capacity: 30, per: .seconds(60))
    /// CoinMarketCap Basic plan: 30 calls/minute (pro.coinmarketcap.com, "Errors and rate limits").
    public static let coinMarketCapBasic = RateLimit(capacity: 30, per: .seconds(60))
    /// Binance spot: 6000 request weight per minute per IP (developers.binance.com, "LIMITS").
    public static let binanceSpot = RateLimit(capacity: 6000, per: .seconds(60))
    /// Coinbase Exchange public endpoints: documented 10 requests/s per IP with bursts to 15
    /// (docs.cdp.coinbase.com, "REST Rate Limits"); 8 leaves room for other clients on the IP.
    public static let coinbaseExchangePublic = RateLimit(capacity: 8, per: .seconds(1))
    /// Kraken public endpoints: no figure is published for them (the "Spot REST Rate Limits"
    /// guide describes a call counter decaying by 0.33–1 per second); one call per second is
    /// the pace that counter sustains. A poll costs one call whatever the watch list.
    public static let krakenPublic = RateLimit(capacity: 1, per: .seconds(1))

    public var description: String { "\(capacity)/\(window)" }
}
