/// What the footer says about one row group: its row count, size and per-column statistics,
/// enough to decide whether to read it.
public struct RowGroupInfo: Sendable, Hashable {
    public var index: Int
    public var rowCount: Int64
    /// Compressed bytes of all its column chunks.
    public var compressedSize: Int64
    /// Statistics by column name; absent when the file has none for that column.
    public var statistics: RowGroupStatistics

    /// The statistics of `column`, if recorded.
    public func statistics(of column: String) -> ColumnStatistics? { statistics[column] }

    /// Whether `column` may hold a value in `lower...upper` (either bound may be nil): false
    /// only when the statistics prove no row does, so pruning on it never drops a match.
    public func mayContain(_ column: String, from lower: ParquetValue? = nil, to upper: ParquetValue? = nil) -> Bool {
        guard let s = statistics[column], let min = s.min, let max = s.max else { return true }
        if let lower, let c = ParquetValue.compare(max, lower), c < 0 { return false }
        if let upper, let c = ParquetValue.compare(min, upper), c > 0 { return false }
        return true
    }
}
