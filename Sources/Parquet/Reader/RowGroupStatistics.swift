/// One row group's per-column statistics, decoded when a column's are asked for: a footer
/// holds a set per column chunk, a scan consults two or three columns, and decoding them all
/// (a string per min and max, a dictionary per group) was a large share of opening a file.
public struct RowGroupStatistics: Sendable, Hashable {
    /// Shared by every group of a file.
    private let layout: Layout
    private let raw: [StatisticsFormat?]

    final class Layout: Sendable {
        let leaves: [LeafColumn]
        let index: [String: Int]
        let typeDefinedOrder: Bool

        init(leaves: [LeafColumn], typeDefinedOrder: Bool) {
            self.leaves = leaves
            var index: [String: Int] = [:]
            for (i, leaf) in leaves.enumerated() where index[leaf.name] == nil { index[leaf.name] = i }
            self.index = index
            self.typeDefinedOrder = typeDefinedOrder
        }
    }

    init(layout: Layout, raw: [StatisticsFormat?]) {
        self.layout = layout
        self.raw = raw
    }

    /// The statistics of `column`, nil when the file has none for it.
    public subscript(_ column: String) -> ColumnStatistics? {
        guard let i = layout.index[column], let s = raw[i] else { return nil }
        return StatisticsDecoder.decode(s, leaf: layout.leaves[i], typeDefinedOrder: layout.typeDefinedOrder)
    }

    /// Every column's statistics, by name.
    public var all: [String: ColumnStatistics] {
        var out: [String: ColumnStatistics] = [:]
        for name in layout.index.keys { out[name] = self[name] }
        return out
    }

    public static func == (lhs: RowGroupStatistics, rhs: RowGroupStatistics) -> Bool { lhs.all == rhs.all }
    public func hash(into hasher: inout Hasher) { hasher.combine(all) }
}
