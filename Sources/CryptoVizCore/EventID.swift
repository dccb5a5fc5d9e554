/// The identity of one market event, used to drop duplicates anywhere in the pipeline.
///
/// Polling the same endpoint twice between two source updates, a producer retry, or a
/// replay after a crash all yield records with the same identity; they are one event.
public struct EventID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var source: ProviderID
    public var asset: AssetID
    public var sourceTimeMillis: Int64

    public init(source: ProviderID, asset: AssetID, sourceTimeMillis: Int64) {
        self.source = source
        self.asset = asset
        self.sourceTimeMillis = sourceTimeMillis
    }

    /// `source|asset|sourceTimeMillis`: stable across processes and versions, so it can be
    /// stored in the lake and compared by external tools (DuckDB, delta-rs).
    public var description: String { "\(source.rawValue)|\(asset.rawValue)|\(sourceTimeMillis)" }
}
