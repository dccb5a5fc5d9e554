/// The `LogicalType` union of parquet.thrift, limited to the members this library maps to a
/// `ParquetType`; others are kept as `.other` so their physical type still reads.
enum LogicalTypeAnnotation: Equatable {
    enum Unit: Equatable { case millis, micros, nanos }
    case string
    /// A MAP group (parquet.thrift `MapType`).
    case map
    /// A LIST group (parquet.thrift `ListType`).
    case list
    case date
    case timestamp(Unit, adjustedToUTC: Bool)
    case integer(bitWidth: Int8, signed: Bool)
    case json
    case enumeration
    case other(Int16)

    func encode(_ w: inout ThriftCompactWriter, fieldID: Int16) {
        w.beginStruct(fieldID)
        switch self {
        case .string: w.beginStruct(1); w.endStruct()
        case .map: w.beginStruct(2); w.endStruct()
        case .list: w.beginStruct(3); w.endStruct()
        case .enumeration: w.beginStruct(4); w.endStruct()
        case .date: w.beginStruct(6); w.endStruct()
        case .timestamp(let unit, let utc):
            w.beginStruct(8)
            w.writeBool(1, utc)
            w.beginStruct(2)
            switch unit {
            case .millis: w.beginStruct(1)
            case .micros: w.beginStruct(2)
            case .nanos: w.beginStruct(3)
            }
            w.endStruct()
            w.endStruct()
            w.endStruct()
        case .integer(let bits, let signed):
            w.beginStruct(10)
            w.writeByte(1, bits)
            w.writeBool(2, signed)
            w.endStruct()
        case .json: w.beginStruct(12); w.endStruct()
        case .other: break
        }
        w.endStruct()
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> LogicalTypeAnnotation? {
        var last: Int16 = 0
        var result: LogicalTypeAnnotation?
        while let field = try r.nextField(last: &last) {
            switch (field.id, field.type) {
            case (1, 12): try r.skip(12); result = .string
            case (2, 12): try r.skip(12); result = .map
            case (3, 12): try r.skip(12); result = .list
            case (4, 12): try r.skip(12); result = .enumeration
            case (6, 12): try r.skip(12); result = .date
            case (8, 12): result = try decodeTimestamp(&r)
            case (10, 12): result = try decodeInteger(&r)
            case (12, 12): try r.skip(12); result = .json
            default:
                try r.skip(field.type)
                result = .other(field.id)
            }
        }
        return result
    }

    private static func decodeTimestamp(_ r: inout ThriftCompactReader) throws -> LogicalTypeAnnotation {
        var last: Int16 = 0
        var utc = false
        var unit = Unit.millis
        while let field = try r.nextField(last: &last) {
            switch field.id {
            case 1: utc = field.boolValue
            case 2 where field.type == 12:
                var unitLast: Int16 = 0
                while let u = try r.nextField(last: &unitLast) {
                    switch u.id {
                    case 1: unit = .millis
                    case 2: unit = .micros
                    case 3: unit = .nanos
                    default: break
                    }
                    try r.skip(u.type)
                }
            default: try r.skip(field.type)
            }
        }
        return .timestamp(unit, adjustedToUTC: utc)
    }

    private static func decodeInteger(_ r: inout ThriftCompactReader) throws -> LogicalTypeAnnotation {
        var last: Int16 = 0
        var bits: Int8 = 32
        var signed = true
        while let field = try r.nextField(last: &last) {
            switch field.id {
            case 1: bits = Int8(truncatingIfNeeded: try r.readInt(field.type))
            case 2: signed = field.boolValue
            default: try r.skip(field.type)
            }
        }
        return .integer(bitWidth: bits, signed: signed)
    }
}
