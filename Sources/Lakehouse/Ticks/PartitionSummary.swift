/// Files, rows and bytes of one partition, from the log alone (no data file is read).
public struct PartitionSummary: Sendable, Hashable {
    /// Partition column → value, in the table's partition order.
    public var values: [String: String?]
    /// The Hive folder, e.g. `date=2025-11-26/source=coingecko`.
    public var path: String
    public var files: Int
    /// Rows per the files' statistics (files without statistics count 0).
    public var rows: Int64
    public var bytes: Int64
}
