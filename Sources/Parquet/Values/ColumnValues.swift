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
    /// A string column in one buffer (kind `.string`); readers give it only when asked.
    case utf8(ByteStrings)
    case binary([[UInt8]])

    public var kind: Kind {
        switch self {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .float: .float
        case .double: .double
        case .string, .utf8: .string
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
        case .utf8(let v): v.count
        case .binary(let v): v.count
        }
    }

    /// The values of a string column as `String`s (either form); nil for other kinds.
    public var strings: [String]? {
        switch self {
        case .string(let v): v
        case .utf8(let v): v.strings()
        default: nil
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

    /// The parts joined end to end in one allocation; parts must all be of `kind`.
    static func concatenate(_ parts: [ColumnValues], kind: Kind) throws -> ColumnValues {
        if parts.count == 1, parts[0].kind == kind { return parts[0] }
        let total = parts.reduce(0) { $0 + $1.count }
        func join<T>(_ extract: (ColumnValues) -> [T]?) throws -> [T] {
            var out = [T]()
            out.reserveCapacity(total)
            for p in parts {
                guard let v = extract(p) else { throw ParquetError("cannot join \(p.kind) values to \(kind) values") }
                out.append(contentsOf: v)
            }
            return out
        }
        switch kind {
        case .boolean: return .boolean(try join { if case .boolean(let v) = $0 { v } else { nil } })
        case .int32: return .int32(try join { if case .int32(let v) = $0 { v } else { nil } })
        case .int64: return .int64(try join { if case .int64(let v) = $0 { v } else { nil } })
        case .float: return .float(try join { if case .float(let v) = $0 { v } else { nil } })
        case .double: return .double(try join { if case .double(let v) = $0 { v } else { nil } })
        case .string:
            var buffers: [ByteStrings] = []
            for case .utf8(let v) in parts { buffers.append(v) }
            if buffers.count == parts.count { return .utf8(ByteStrings.joined(buffers)) }
            return .string(try join { $0.strings })
        case .binary: return .binary(try join { if case .binary(let v) = $0 { v } else { nil } })
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
        case .utf8(let v): .utf8(v.slice(range))
        case .binary(let v): .binary(Array(v[range]))
        }
    }
}
