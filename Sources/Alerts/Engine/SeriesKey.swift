import CryptoVizCore

/// What one alert of a rule is about: (asset, source) for price, change and anomaly rules,
/// the asset for spread, the source for staleness and lake freshness.
struct SeriesKey: Hashable, Sendable, Codable {
    var asset: AssetID?
    var source: ProviderID?
}
