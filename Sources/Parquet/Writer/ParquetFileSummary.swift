/// What a finished file holds: its row count, its row groups, and per column the statistics
/// over all row groups (what a table log such as Delta's records as numRecords, minValues,
/// maxValues, nullCount).
public struct ParquetFileSummary: Sendable, Hashable {
    /// One column's file-wide statistics.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: ParquetType
        public var statistics: ColumnStatistics
    }

    public var rowCount: Int64
    public var rowGroupCount: Int
    /// Size of the whole file in bytes.
    public var fileSize: Int
    public var columns: [Column]

    /// The statistics of the column named `name`.
    public func statistics(of name: String) -> ColumnStatistics? {
        columns.first { $0.name == name }?.statistics
    }
}
