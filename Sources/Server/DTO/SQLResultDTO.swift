/// The result of a read-only SQL statement: column names and rows of JSON scalars.
public struct SQLResultDTO: Sendable, Codable, Hashable {
    public var columns: [String]
    public var rows: [[SQLValue]]
    /// True when the row limit cut the result.
    public var truncated: Bool
    public var elapsedMs: Int64

    public init(columns: [String], rows: [[SQLValue]], truncated: Bool, elapsedMs: Int64) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
        self.elapsedMs = elapsedMs
    }
}

/// One SQL cell as JSON: null, boolean, number or string (dates and decimals as strings).
public enum SQLValue: Sendable, Codable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): if d.isFinite { try c.encode(d) } else { try c.encode(String(d)) }
        case .string(let s): try c.encode(s)
        }
    }
}
