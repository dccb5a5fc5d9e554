import CryptoVizCore

/// A source of market data: one implementation per API, all polled the same way.
///
/// An adapter fetches and parses; it does not decide canonical identity (the
/// `AssetDirectory` does) nor validate (the service does, with `TickValidator`), so every
/// provider is held to the same rules.
public protocol MarketDataProvider: Sendable {
    /// The provider's name, used as `Tick.source`.
    var id: ProviderID { get }
    /// Fetches the current market snapshot for `scope`. Throws `CollectorError` when the
    /// request fails as a whole; a bad record only adds a rejection to the batch.
    func fetch(_ scope: FetchScope) async throws -> ProviderBatch
}

/// What the service wants from a poll: the watch list and how deep the directory should be.
public struct FetchScope: Sendable, Hashable {
    /// The watch list's top-N-by-market-cap part.
    public var topN: Int
    /// Assets watched explicitly, whatever their rank.
    public var explicitIDs: [AssetID]
    /// How many ranked listings to ask for, at least (identity resolution needs more than N).
    public var directoryDepth: Int
    /// Upper-case tickers of the watched assets as the directory knows them, best rank first.
    /// Venues without a batch endpoint (Coinbase: one request per product) poll only these;
    /// empty when the directory is not known yet.
    public var watchedSymbols: [String]

    public init(topN: Int, explicitIDs: [AssetID] = [], directoryDepth: Int = 250, watchedSymbols: [String] = []) {
        self.topN = topN
        self.explicitIDs = explicitIDs
        self.directoryDepth = directoryDepth
        self.watchedSymbols = watchedSymbols
    }
}

/// One asset's values as a provider reported them, before identity resolution.
public struct SourceQuote: Sendable, Hashable {
    /// How the provider names the asset.
    public enum Identity: Sendable, Hashable {
        /// CoinGecko's own id, already canonical.
        case coinGecko(AssetID)
        /// A CoinMarketCap listing (id, slug, name, symbol, rank).
        case coinMarketCap(CoinMarketCapListing)
        /// An exchange pair's base asset symbol ("BTC" of BTCUSDT).
        case exchangeBase(String)
    }

    public var identity: Identity
    /// Upper-case ticker.
    public var symbol: String
    public var quoteCurrency: String
    public var price: Double
    public var marketCap: Double?
    public var volume24h: Double?
    public var change1h: Double?
    public var change24h: Double?
    public var change7d: Double?
    public var sourceTimeMillis: Int64

    public init(identity: Identity, symbol: String, quoteCurrency: String = "USD", price: Double,
                marketCap: Double? = nil, volume24h: Double? = nil, change1h: Double? = nil,
                change24h: Double? = nil, change7d: Double? = nil, sourceTimeMillis: Int64) {
        self.identity = identity
        self.symbol = symbol
        self.quoteCurrency = quoteCurrency
        self.price = price
        self.marketCap = marketCap
        self.volume24h = volume24h
        self.change1h = change1h
        self.change24h = change24h
        self.change7d = change7d
        self.sourceTimeMillis = sourceTimeMillis
    }
}

/// The parsed result of one poll of one provider.
public struct ProviderBatch: Sendable {
    public var provider: ProviderID
    public var quotes: [SourceQuote]
    /// Records refused while parsing, each with the field at fault.
    public var rejections: [TickRejection]
    /// Records deliberately out of scope (e.g. Binance pairs not quoted in USDT).
    public var ignoredRecords: Int
    /// Identity listings seen (CoinGecko only), fed into the `AssetDirectory`.
    public var listings: [CoinGeckoListing]
    /// Requests of a multi-request poll that failed while others succeeded.
    public var partialFailures: [CollectorError]

    public init(provider: ProviderID, quotes: [SourceQuote] = [], rejections: [TickRejection] = [],
                ignoredRecords: Int = 0, listings: [CoinGeckoListing] = [], partialFailures: [CollectorError] = []) {
        self.provider = provider
        self.quotes = quotes
        self.rejections = rejections
        self.ignoredRecords = ignoredRecords
        self.listings = listings
        self.partialFailures = partialFailures
    }
}
