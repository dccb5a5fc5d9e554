/// The values of one column, one element per row, in a contiguous typed array.
///
/// Rows that are null (see `ColumnData.validity`) still occupy a slot holding a placeholder
/// (zero, false, empty), so row `i` is always element `i`: that keeps the hot paths free of
/// per-value optionals and lets encoders copy whole arrays.
public enum ColumnValues: Sendable, Equatable {
    /// Which case a `ColumnValues` is, for checking it against a `ParquetType`.
    public enum Kind: Sendable, Hashable { case boolean, int32, int64, float, double, string, binary }

    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    case string([String])
    case binary([[UInt8]])

    public var kind: Kind {
        switch self {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .float: .float
        case .double: .double
        case .string: .string
        case .binary: .binary
        }
    }

    public var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        case .binary(let v): v.count
        }
    }

    /// An empty array of the given kind.
    public static func empty(_ kind: Kind) -> ColumnValues {
        switch kind {
        case .boolean: .boolean([])
        case .int32: .int32([])
        case .int64: .int64([])
        case .float: .float([])
        case .double: .double([])
        case .string: .string([])
        case .binary: .binary([])
        }
    }

    /// Appends `other`, which must be of the same kind.
    mutating func append(_ other: ColumnValues) throws {
        switch (self, other) {
        case (.boolean(var a), .boolean(let b)): self = .int32([]); a.append(contentsOf: b); self = .boolean(a)
        case (.int32(var a), .int32(let b)): self = .boolean([]); a.append(contentsOf: b); self = .int32(a)
        case (.int64(var a), .int64(let b)): self = .boolean([]); a.append(contentsOf: b); self = .int64(a)
        case (.float(var a), .float(let b)): self = .boolean([]); a.append(contentsOf: b); self = .float(a)
        case (.double(var a), .double(let b)): self = .boolean([]); a.append(contentsOf: b); self = .double(a)
        case (.string(var a), .string(let b)): self = .boolean([]); a.append(contentsOf: b); self = .string(a)
        case (.binary(var a), .binary(let b)): self = .boolean([]); a.append(contentsOf: b); self = .binary(a)
        default: throw ParquetError("cannot append \(other.kind) values to \(kind) values")
        }
    }

    /// Elements `range` as a new array of the same kind.
    func slice(_ range: Range<Int>) -> ColumnValues {
        switch self {
        case .boolean(let v): .boolean(Array(v[range]))
        case .int32(let v): .int32(Array(v[range]))
        case .int64(let v): .int64(Array(v[range]))
        case .float(let v): .float(Array(v[range]))
        case .double(let v): .double(Array(v[range]))
        case .string(let v): .string(Array(v[range]))
        case .binary(let v): .binary(Array(v[range]))
        }
    }
}
