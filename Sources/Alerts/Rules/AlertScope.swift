import CryptoVizCore

/// Which ticks a rule looks at: an empty list means every asset (or every source).
public struct AlertScope: Sendable, Hashable, Codable {
    public var assets: [AssetID]
    public var sources: [ProviderID]

    public init(assets: [AssetID] = [], sources: [ProviderID] = []) {
        self.assets = assets
        self.sources = sources
    }

    /// Whether a tick of `source` counts for this scope (assets are matched by the engine's index).
    func includes(source: ProviderID) -> Bool { sources.isEmpty || sources.contains(source) }

    func includes(asset: AssetID) -> Bool { assets.isEmpty || assets.contains(asset) }
}
