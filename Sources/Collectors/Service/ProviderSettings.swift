import CryptoVizCore

/// How one provider is reached and paced. Every limit is configurable; the defaults are the
/// documented ones (see `RateLimit`) because providers change them over time.
public struct ProviderSettings: Sendable, Hashable {
    public var baseURL: String
    /// Poll period; polls are aligned to multiples of it on the wall clock.
    public var interval: Duration
    public var rateLimit: RateLimit
    /// Widening of the limiter's window against network jitter.
    public var rateLimitSlack: Duration = .milliseconds(250)
    /// Pause after a 429 that carries no `Retry-After`.
    public var defaultBackoff: Duration
    /// Per-attempt deadline.
    public var requestTimeout: Duration = .seconds(10)
    public var retry: RetryPolicy = .init()
    public var circuitBreaker: CircuitBreaker.Configuration = .init()

    public init(baseURL: String, interval: Duration, rateLimit: RateLimit, defaultBackoff: Duration) {
        self.baseURL = baseURL
        self.interval = interval
        self.rateLimit = rateLimit
        self.defaultBackoff = defaultBackoff
    }

    /// CoinGecko keyless: 30 s polling, 10 calls/min, 60 s back-off (its 429s rarely say how long).
    public static let coinGecko = ProviderSettings(
        baseURL: CoinGeckoProvider.publicBaseURL, interval: .seconds(30),
        rateLimit: .coinGeckoPublic, defaultBackoff: .seconds(60))
    /// CoinMarketCap Basic: the monthly budget (~10k credits) allows one call per ~5 minutes
    /// around the clock, so the default interval is 300 s, not 30 s.
    public static let coinMarketCap = ProviderSettings(
        baseURL: CoinMarketCapProvider.defaultBaseURL, interval: .seconds(300),
        rateLimit: .coinMarketCapBasic, defaultBackoff: .seconds(60))
    /// Binance: 30 s polling within 6000 weight/min; 429s carry `Retry-After`.
    public static let binance = ProviderSettings(
        baseURL: BinanceProvider.defaultBaseURL, interval: .seconds(30),
        rateLimit: .binanceSpot, defaultBackoff: .seconds(30))
    /// Coinbase Exchange: 30 s polling, 8 requests/s (one per watched product per poll); its
    /// 429s carry no documented `Retry-After`, and its bucket refills within a second or two.
    public static let coinbase = ProviderSettings(
        baseURL: CoinbaseProvider.defaultBaseURL, interval: .seconds(30),
        rateLimit: .coinbaseExchangePublic, defaultBackoff: .seconds(5))
    /// Kraken: 30 s polling, one call per poll, at most one call per second; "EAPI:Rate limit
    /// exceeded" asks for a pause of "a few seconds" (docs.kraken.com, "Spot REST Rate Limits").
    public static let kraken = ProviderSettings(
        baseURL: KrakenProvider.defaultBaseURL, interval: .seconds(30),
        rateLimit: .krakenPublic, defaultBackoff: .seconds(10))
}
