import CryptoVizCore

/// An asset known to the pipeline and the sources that report it.
public struct AssetDTO: Sendable, Codable, Hashable {
    public var asset: AssetID
    /// Ticker symbol as most recently reported ("BTC").
    public var symbol: String
    public var sources: [ProviderID]

    public init(asset: AssetID, symbol: String, sources: [ProviderID]) {
        self.asset = asset
        self.symbol = symbol
        self.sources = sources
    }
}

/// A source known to the pipeline and the assets it reports.
public struct SourceDTO: Sendable, Codable, Hashable {
    public var source: ProviderID
    public var assets: [AssetID]
    /// Source time of its most recent tick (Unix ms), nil before the first one.
    public var lastTickMs: Int64?

    public init(source: ProviderID, assets: [AssetID], lastTickMs: Int64?) {
        self.source = source
        self.assets = assets
        self.lastTickMs = lastTickMs
    }
}
