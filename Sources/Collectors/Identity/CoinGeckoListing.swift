import CryptoVizCore

/// One asset as CoinGecko's `/coins/markets` lists it: the source of canonical identity.
public struct CoinGeckoListing: Sendable, Hashable, Codable {
    /// CoinGecko's id, used as the canonical `AssetID` ("bitcoin", "harmony").
    public var id: AssetID
    /// Lower-case ticker as CoinGecko sends it; not unique.
    public var symbol: String
    public var name: String
    /// `market_cap_rank`; nil when CoinGecko has none (unranked or no market cap).
    public var marketCapRank: Int?
    public var marketCap: Double?

    public init(id: AssetID, symbol: String, name: String, marketCapRank: Int?, marketCap: Double?) {
        self.id = id
        self.symbol = symbol
        self.name = name
        self.marketCapRank = marketCapRank
        self.marketCap = marketCap
    }

    enum CodingKeys: String, CodingKey {
        case id, symbol, name
        case marketCapRank = "market_cap_rank"
        case marketCap = "market_cap"
    }
}

/// One asset as CoinMarketCap's `/v1/cryptocurrency/listings/latest` lists it.
public struct CoinMarketCapListing: Sendable, Hashable {
    /// CMC's integer id, stable for the life of the asset.
    public var id: Int64
    public var slug: String
    public var symbol: String
    public var name: String
    public var rank: Int?

    public init(id: Int64, slug: String, symbol: String, name: String, rank: Int?) {
        self.id = id
        self.slug = slug
        self.symbol = symbol
        self.name = name
        self.rank = rank
    }
}
