/// A flat table schema: an ordered list of uniquely named columns.
public struct ParquetSchema: Sendable, Hashable {
    public var columns: [ParquetColumn]

    public init(columns: [ParquetColumn]) {
        self.columns = columns
    }

    /// The position of the column named `name`, if any.
    public func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// Throws unless every column name is non-empty and unique.
    func validate() throws {
        var seen = Set<String>()
        for c in columns {
            guard !c.name.isEmpty else { throw ParquetError("schema: empty column name") }
            guard seen.insert(c.name).inserted else { throw ParquetError("schema: duplicate column \(c.name)") }
        }
        guard !columns.isEmpty else { throw ParquetError("schema: no columns") }
    }
}
