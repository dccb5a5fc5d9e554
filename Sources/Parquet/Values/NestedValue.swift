/// A value of a nested schema: null, a primitive, a struct (fields by name), a list or a map.
///
/// Records read by `ParquetFileReader.readRecords` and written by `ParquetRecordWriter` are
/// `[String: NestedValue]` (a top-level struct); a field absent from a struct's dictionary is
/// null.
public indirect enum NestedValue: Sendable, Hashable, CustomStringConvertible {
    /// One key/value pair of a map, in file order (maps may repeat keys in Parquet).
    public struct Entry: Sendable, Hashable {
        public var key: NestedValue
        public var value: NestedValue
        /// A map entry.
        public init(key: NestedValue, value: NestedValue) {
            self.key = key
            self.value = value
        }
    }

    case null
    case value(ParquetValue)
    case group([String: NestedValue])
    case list([NestedValue])
    case map([Entry])

    /// A string value (convenience for building records).
    public static func string(_ s: String?) -> NestedValue { s.map { .value(.string($0)) } ?? .null }
    /// A 64-bit integer value.
    public static func int64(_ v: Int64?) -> NestedValue { v.map { .value(.int64($0)) } ?? .null }
    /// A 32-bit integer value.
    public static func int32(_ v: Int32?) -> NestedValue { v.map { .value(.int32($0)) } ?? .null }
    /// A boolean value.
    public static func boolean(_ v: Bool?) -> NestedValue { v.map { .value(.boolean($0)) } ?? .null }
    /// A map of strings to optional strings.
    public static func stringMap(_ m: [String: String?]?) -> NestedValue {
        guard let m else { return .null }
        return .map(m.keys.sorted().map { Entry(key: .string($0), value: .string(m[$0] ?? nil)) })
    }
    /// A list of strings.
    public static func stringList(_ l: [String]?) -> NestedValue {
        guard let l else { return .null }
        return .list(l.map { .string($0) })
    }

    /// True for `.null`.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The field `name` of a struct (nil for a null or non-struct value, or a null field).
    public subscript(name: String) -> NestedValue? {
        guard case .group(let fields) = self, let v = fields[name], !v.isNull else { return nil }
        return v
    }

    /// The string of a `.value(.string)`, else nil.
    public var stringValue: String? { if case .value(.string(let s)) = self { s } else { nil } }
    /// The boolean of a `.value(.boolean)`, else nil.
    public var boolValue: Bool? { if case .value(.boolean(let b)) = self { b } else { nil } }
    /// Integers of either width, widened.
    public var int64Value: Int64? {
        switch self {
        case .value(.int64(let v)): v
        case .value(.int32(let v)): Int64(v)
        default: nil
        }
    }
    /// The items of a `.list`, else nil.
    public var listValue: [NestedValue]? { if case .list(let l) = self { l } else { nil } }
    /// The entries of a `.map`, else nil.
    public var mapValue: [Entry]? { if case .map(let m) = self { m } else { nil } }
    /// The fields of a `.group`, else nil.
    public var groupValue: [String: NestedValue]? { if case .group(let g) = self { g } else { nil } }

    public var description: String {
        switch self {
        case .null: "null"
        case .value(let v): v.description
        case .group(let g): "{" + g.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .list(let l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): "{" + m.map { "\($0.key) => \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One row of a nested file: top-level field name → value (absent = null).
public typealias ParquetRecord = [String: NestedValue]
