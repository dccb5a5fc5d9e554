/// Statistics of one column over a row group or a whole file: null count and the smallest and
/// largest non-null, non-NaN values in the type's order (nil when unknown or all null/NaN).
public struct ColumnStatistics: Sendable, Hashable {
    public var nullCount: Int64?
    public var min: ParquetValue?
    public var max: ParquetValue?

    public init(nullCount: Int64?, min: ParquetValue?, max: ParquetValue?) {
        self.nullCount = nullCount
        self.min = min
        self.max = max
    }

    /// Combines statistics of two disjoint sets of rows.
    public func merged(with other: ColumnStatistics) -> ColumnStatistics {
        func pick(_ a: ParquetValue?, _ b: ParquetValue?, wantSmaller: Bool) -> ParquetValue? {
            guard let a else { return b }
            guard let b else { return a }
            guard let c = ParquetValue.compare(a, b) else { return a }
            return (c <= 0) == wantSmaller ? a : b
        }
        let nulls: Int64? = if let a = nullCount, let b = other.nullCount { a + b } else { nil }
        return ColumnStatistics(
            nullCount: nulls, min: pick(min, other.min, wantSmaller: true), max: pick(max, other.max, wantSmaller: false))
    }
}
