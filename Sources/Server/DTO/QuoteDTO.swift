import CryptoVizCore

/// The latest quote of one asset: a consensus over sources plus each source's own.
///
/// `price` is the median of the sources' latest prices (mean of the two middle ones for an
/// even count): robust to one source lagging or glitching, unlike a mean.
public struct QuoteDTO: Sendable, Codable, Hashable {
    public var asset: AssetID
    public var symbol: String
    public var price: Double
    /// Median of the sources' reported changes (percent), nil when no source reports it.
    public var change1h: Double?
    public var change24h: Double?
    public var change7d: Double?
    /// Newest source time among the sources (Unix ms).
    public var sourceTimeMs: Int64
    public var sources: [SourceQuoteDTO]

    public init(
        asset: AssetID, symbol: String, price: Double, change1h: Double?, change24h: Double?,
        change7d: Double?, sourceTimeMs: Int64, sources: [SourceQuoteDTO]
    ) {
        self.asset = asset
        self.symbol = symbol
        self.price = price
        self.change1h = change1h
        self.change24h = change24h
        self.change7d = change7d
        self.sourceTimeMs = sourceTimeMs
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case asset, symbol, price, change1h = "change_1h", change24h = "change_24h"
        case change7d = "change_7d", sourceTimeMs = "source_time_ms", sources
    }
}

/// One source's latest view of an asset.
public struct SourceQuoteDTO: Sendable, Codable, Hashable {
    public var source: ProviderID
    public var price: Double
    public var marketCap: Double?
    public var volume24h: Double?
    public var change1h: Double?
    public var change24h: Double?
    public var change7d: Double?
    public var sourceTimeMs: Int64
    public var collectedTimeMs: Int64

    public init(_ tick: Tick) {
        source = tick.source
        price = tick.price
        marketCap = tick.marketCap
        volume24h = tick.volume24h
        change1h = tick.change1h
        change24h = tick.change24h
        change7d = tick.change7d
        sourceTimeMs = tick.sourceTimeMillis
        collectedTimeMs = tick.collectedTimeMillis
    }

    enum CodingKeys: String, CodingKey {
        case source, price, marketCap = "market_cap", volume24h = "volume_24h", change1h = "change_1h"
        case change24h = "change_24h", change7d = "change_7d", sourceTimeMs = "source_time_ms"
        case collectedTimeMs = "collected_time_ms"
    }
}
