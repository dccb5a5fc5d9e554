/// A primitive column as the footer describes it, with the physical facts and levels decoding needs.
struct LeafColumn {
    var name: String
    var type: ParquetType
    var optional: Bool
    var physicalType: PhysicalType
    var typeLength: Int

    /// The column's path from the root, e.g. ["add", "partitionValues", "key_value", "key"].
    var path: [String]
    /// Definition level of a present value (0 for a top-level required column).
    var maxDefinition: Int
    /// Repetition level of the innermost repeated ancestor (0 outside lists and maps).
    var maxRepetition: Int

    /// Whether decoding must keep the levels for record assembly: anything but a top-level
    /// required or optional column, whose levels are fully described by `validity`.
    var keepsLevels: Bool { path.count > 1 || maxRepetition > 0 }

    /// A top-level required or optional column (the flat API); throws for anything else.
    init(_ e: SchemaElement) throws {
        guard e.numChildren == nil || e.numChildren == 0 else {
            throw ParquetError("unsupported nested column \(e.name)")
        }
        let rep = Repetition(rawValue: e.repetition ?? 0) ?? .required
        guard rep != .repeated else { throw ParquetError("unsupported repeated column \(e.name)") }
        try self.init(e, path: [e.name], repetition: rep, maxDefinition: rep == .optional ? 1 : 0, maxRepetition: 0)
    }

    /// A primitive column anywhere in the schema tree. Values are decoded one slot per level
    /// entry, present (in `validity`) when the definition level is `maxDefinition`.
    init(_ e: SchemaElement, path: [String], repetition: Repetition, maxDefinition: Int, maxRepetition: Int) throws {
        self.path = path
        name = path.joined(separator: ".")
        guard let raw = e.type, let physical = PhysicalType(rawValue: raw) else {
            throw ParquetError("column \(name): unknown physical type \(e.type.map(String.init) ?? "none")")
        }
        physicalType = physical
        typeLength = Int(e.typeLength ?? 0)
        optional = maxDefinition > 0
        self.maxDefinition = maxDefinition
        self.maxRepetition = maxRepetition
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
