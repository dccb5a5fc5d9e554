/// One column's rows: dense `values` plus, for optional columns, a `validity` flag per row
/// (`true` = present). `validity == nil` means no row is null.
public struct ColumnData: Sendable, Equatable {
    public var values: ColumnValues
    public var validity: [Bool]?

    public init(_ values: ColumnValues, validity: [Bool]? = nil) {
        self.values = values
        self.validity = validity
    }

    public var count: Int { values.count }

    /// Number of null rows.
    public var nullCount: Int {
        guard let validity else { return 0 }
        var n = 0
        for v in validity where !v { n += 1 }
        return n
    }

    /// Whether row `i` is null.
    public func isNull(_ i: Int) -> Bool { validity.map { !$0[i] } ?? false }

    /// A column from optional values; nil becomes a null row with a placeholder value.
    public static func boolean(_ v: [Bool?]) -> ColumnData { make(v, placeholder: false, ColumnValues.boolean) }
    public static func int32(_ v: [Int32?]) -> ColumnData { make(v, placeholder: 0, ColumnValues.int32) }
    public static func int64(_ v: [Int64?]) -> ColumnData { make(v, placeholder: 0, ColumnValues.int64) }
    public static func float(_ v: [Float?]) -> ColumnData { make(v, placeholder: 0, ColumnValues.float) }
    public static func double(_ v: [Double?]) -> ColumnData { make(v, placeholder: 0, ColumnValues.double) }
    public static func string(_ v: [String?]) -> ColumnData { make(v, placeholder: "", ColumnValues.string) }
    public static func binary(_ v: [[UInt8]?]) -> ColumnData { make(v, placeholder: [], ColumnValues.binary) }

    private static func make<T>(_ v: [T?], placeholder: T, _ wrap: ([T]) -> ColumnValues) -> ColumnData {
        var values = [T]()
        values.reserveCapacity(v.count)
        var validity = [Bool]()
        validity.reserveCapacity(v.count)
        var anyNull = false
        for x in v {
            values.append(x ?? placeholder)
            validity.append(x != nil)
            if x == nil { anyNull = true }
        }
        return ColumnData(wrap(values), validity: anyNull ? validity : nil)
    }

    /// The parts joined end to end (values and validity) in one allocation each.
    static func concatenate(_ parts: [ColumnData], kind: ColumnValues.Kind) throws -> ColumnData {
        if parts.count == 1, parts[0].values.kind == kind { return parts[0] }
        let values = try ColumnValues.concatenate(parts.map(\.values), kind: kind)
        guard parts.contains(where: { $0.validity != nil }) else { return ColumnData(values) }
        var validity = [Bool]()
        validity.reserveCapacity(values.count)
        for p in parts { validity.append(contentsOf: p.validity ?? [Bool](repeating: true, count: p.count)) }
        return ColumnData(values, validity: validity)
    }

    /// The parts (all of one kind, at least one) joined end to end.
    public static func joined(_ parts: [ColumnData]) throws -> ColumnData {
        guard let kind = parts.first?.values.kind else { throw ParquetError("nothing to join") }
        return try concatenate(parts, kind: kind)
    }

    /// Rows `range` (within `0..<count`) as a column of their own.
    public func rows(_ range: Range<Int>) -> ColumnData {
        let kept = validity.map { Array($0[range]) }
        return ColumnData(values.slice(range), validity: kept?.contains(false) == true ? kept : nil)
    }

    /// Row `i` as a `ParquetValue`, nil when null.
    public func value(at i: Int) -> ParquetValue? {
        if isNull(i) { return nil }
        switch values {
        case .boolean(let v): return .boolean(v[i])
        case .int32(let v): return .int32(v[i])
        case .int64(let v): return .int64(v[i])
        case .float(let v): return .float(v[i])
        case .double(let v): return .double(v[i])
        case .string(let v): return .string(v[i])
        case .utf8(let v): return .string(v.string(at: i))
        case .binary(let v): return .binary(v[i])
        }
    }
}
