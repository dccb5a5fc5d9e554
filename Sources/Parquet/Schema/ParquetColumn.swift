/// One top-level column of a flat schema: its name, type and whether it may hold nulls.
public struct ParquetColumn: Sendable, Hashable {
    public var name: String
    public var type: ParquetType
    /// Optional columns carry a definition level per row; required ones cannot hold nulls.
    public var optional: Bool

    public init(name: String, type: ParquetType, optional: Bool = false) {
        self.name = name
        self.type = type
        self.optional = optional
    }
}
