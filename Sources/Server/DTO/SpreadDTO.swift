import CryptoVizCore

/// How far the sources disagree on one asset's latest price.
public struct SpreadDTO: Sendable, Codable, Hashable {
    public var asset: AssetID
    /// Median of the sources' latest prices.
    public var consensusPrice: Double
    public var minPrice: Double
    public var maxPrice: Double
    /// `maxPrice - minPrice`.
    public var spread: Double
    /// `spread / consensusPrice * 100`.
    public var spreadPercent: Double
    public var sources: [SourceDeviationDTO]

    public init(
        asset: AssetID, consensusPrice: Double, minPrice: Double, maxPrice: Double, spread: Double,
        spreadPercent: Double, sources: [SourceDeviationDTO]
    ) {
        self.asset = asset
        self.consensusPrice = consensusPrice
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.spread = spread
        self.spreadPercent = spreadPercent
        self.sources = sources
    }
}

/// One source's price and its deviation from the consensus, in percent.
public struct SourceDeviationDTO: Sendable, Codable, Hashable {
    public var source: ProviderID
    public var price: Double
    public var deviationPercent: Double
    public var sourceTimeMs: Int64

    public init(source: ProviderID, price: Double, deviationPercent: Double, sourceTimeMs: Int64) {
        self.source = source
        self.price = price
        self.deviationPercent = deviationPercent
        self.sourceTimeMs = sourceTimeMs
    }
}
