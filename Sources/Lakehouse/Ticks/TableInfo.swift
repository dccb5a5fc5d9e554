/// An overview of a tick table at one version (`cryptoviz lake info`).
public struct TableInfo: Sendable {
    public var version: Int64
    /// Commit time of `version`, Unix ms.
    public var timestampMillis: Int64
    public var layout: TableLayout?
    public var partitionColumns: [String]
    public var files: Int
    public var partitions: Int
    public var rows: Int64
    public var bytes: Int64
    /// Last committed version per stream (`txn` actions).
    public var transactions: [String: Int64]
    public var protocolVersion: (reader: Int, writer: Int)
}
