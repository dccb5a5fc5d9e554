/// A top-level column as the footer describes it, with the physical facts decoding needs.
struct LeafColumn {
    var name: String
    var type: ParquetType
    var optional: Bool
    var physicalType: PhysicalType
    var typeLength: Int

    /// Maps a footer schema element to a column; throws for nested or repeated fields and
    /// INT96, which this reader does not support.
    init(_ e: SchemaElement) throws {
        name = e.name
        guard e.numChildren == nil || e.numChildren == 0 else {
            throw ParquetError("unsupported nested column \(e.name)")
        }
        guard let raw = e.type, let physical = PhysicalType(rawValue: raw) else {
            throw ParquetError("column \(e.name): unknown physical type \(e.type.map(String.init) ?? "none")")
        }
        physicalType = physical
        typeLength = Int(e.typeLength ?? 0)
        switch e.repetition ?? Repetition.required.rawValue {
        case Repetition.required.rawValue: optional = false
        case Repetition.optional.rawValue: optional = true
        default: throw ParquetError("unsupported repeated column \(e.name)")
        }
        type = try Self.type(of: e, physical: physical)
    }

    private static func type(of e: SchemaElement, physical: PhysicalType) throws -> ParquetType {
        switch physical {
        case .boolean: return .boolean
        case .float: return .float
        case .double: return .double
        case .int96: throw ParquetError("unsupported physical type INT96 in column \(e.name)")
        case .int32:
            switch e.logicalType {
            case .date?: return .date
            case .integer(8, true)?: return .int8
            case .integer(16, true)?: return .int16
            default: break
            }
            switch e.convertedType {
            case ConvertedTypeCode.date?: return .date
            case ConvertedTypeCode.int8?: return .int8
            case ConvertedTypeCode.int16?: return .int16
            default: return .int32
            }
        case .int64:
            if case .timestamp(let unit, let utc)? = e.logicalType {
                switch unit {
                case .millis: return .timestamp(.millis, adjustedToUTC: utc)
                case .micros: return .timestamp(.micros, adjustedToUTC: utc)
                case .nanos: return .timestamp(.nanos, adjustedToUTC: utc)
                }
            }
            switch e.convertedType {
            case ConvertedTypeCode.timestampMillis?: return .timestampMillis
            case ConvertedTypeCode.timestampMicros?: return .timestampMicros
            default: return .int64
            }
        case .byteArray:
            switch e.logicalType {
            case .string?, .json?, .enumeration?: return .string
            default: break
            }
            switch e.convertedType {
            case ConvertedTypeCode.utf8?, ConvertedTypeCode.json?, ConvertedTypeCode.enumeration?: return .string
            default: return .binary
            }
        case .fixedLenByteArray:
            guard let length = e.typeLength, length >= 0 else {
                throw ParquetError("column \(e.name): FIXED_LEN_BYTE_ARRAY without a valid length")
            }
            _ = length
            return .binary
        }
    }
}
