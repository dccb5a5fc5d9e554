/// How the simulated market looks and behaves.
public struct SimulatorConfiguration: Sendable {
    /// Interface to bind; loopback by default (the simulator is a test and demo tool).
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free ephemeral port.
    public var port: Int = 0
    /// Number of simulated assets.
    public var assetCount: Int = 300
    /// Seed of the universe and of the price paths.
    public var seed: UInt64 = 42
    /// Speed-up of simulated time against wall time (1 = real volatility; demos may use 60+).
    public var timeScale: Double = 1
    public var faults: FaultPlan = .none
    /// Scripted market events (jumps, drifts, silences, divergences) at known times.
    public var events: MarketEventScript = .none
    /// Per-provider limits enforced like the real APIs (429 when exceeded), by provider name.
    public var rateLimits: [String: SimulatedRateLimit] = [
        "coingecko": .init(capacity: 30, windowSeconds: 60),
        "coinmarketcap": .init(capacity: 30, windowSeconds: 60),
        "binance": .init(capacity: 6000, windowSeconds: 60),
        // Coinbase Exchange public: 10 requests/s per IP (its bursts to 15 are not modelled).
        "coinbase": .init(capacity: 10, windowSeconds: 1),
        // Kraken publishes no public-endpoint figure; one call per second is its counter's pace.
        "kraken": .init(capacity: 1, windowSeconds: 1),
    ]
    /// The CMC key the simulator accepts; nil accepts any non-empty key (absent → 401, 1002).
    public var coinMarketCapKey: String?
    /// How long a `slow` fault holds the response.
    public var slowDelaySeconds: Double = 30
    /// `Retry-After` sent with injected and limit 429s (CoinGecko sends none, as in reality).
    public var retryAfterSeconds: Int = 2
    /// Binance bans (418) an address that sends this many requests while told to wait by a 429.
    public var banAfterViolations: Int = 3
    /// How long a 418 ban lasts (the real one starts at 2 minutes).
    public var banSeconds: Int = 120
    /// What the history endpoints (klines, market_chart/range) serve.
    public var history = History()
    /// How the WebSocket streams pace themselves.
    public var streams = Streams()

    /// The pace of the WebSocket stream tape.
    public struct Streams: Sendable, Hashable {
        /// One trade per subscribed pair this often.
        public var tradeInterval: Duration = .milliseconds(100)
        /// `!miniTicker@arr` and klines this often (Binance: every second).
        public var tickerInterval: Duration = .seconds(1)
        /// Server pings this often (Binance: every 20 s); a client that does not answer is closed.
        public var pingInterval: Duration = .seconds(20)
        /// Trades per pair `GET /api/v3/trades` remembers (Binance answers up to 1 000).
        public var recentTrades: Int = 1000

        public init() {}
    }

    /// The shape of the simulated past.
    public struct History: Sendable, Hashable {
        /// How far back every pair is listed unless `listings` says otherwise.
        public var defaultDays: Int = 400
        /// Listing time (Unix ms) per CoinGecko id: no bars before it.
        public var listings: [String: Int64] = [:]
        /// Venue outages (Unix ms ranges): no bars for any asset inside them.
        public var outages: [Range<Int64>] = []
        /// CoinGecko's keyless tier reaches back this many days (older ranges answer 401).
        public var coinGeckoMaxDays: Int = 365

        public init() {}
    }

    public init() {}
}

/// A request budget in weight units per sliding window of `windowSeconds`.
public struct SimulatedRateLimit: Sendable, Hashable, Codable {
    public var capacity: Int
    public var windowSeconds: Double

    public init(capacity: Int, windowSeconds: Double) {
        self.capacity = capacity
        self.windowSeconds = windowSeconds
    }
}
