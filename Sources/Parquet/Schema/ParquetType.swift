/// The type of a column as the caller sees it: a Parquet physical type plus its logical
/// annotation (Parquet spec: LogicalTypes.md).
///
/// Values travel in the `ColumnValues` case named by `storage`: 8/16/32-bit integers and
/// dates as `Int32`, 64-bit integers and timestamps as `Int64` (units since the Unix epoch),
/// strings as `String`, unannotated byte arrays as `[UInt8]`.
public enum ParquetType: Sendable, Hashable, CustomStringConvertible {
    /// The unit of a timestamp.
    public enum TimeUnit: Sendable, Hashable {
        case millis, micros, nanos
    }

    case boolean
    case int8
    case int16
    case int32
    case int64
    case float
    case double
    /// UTF-8 text (BYTE_ARRAY annotated STRING).
    case string
    /// Raw bytes (BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY without a text annotation).
    case binary
    /// Days since 1970-01-01 (INT32 annotated DATE).
    case date
    /// A timestamp in `unit` since the Unix epoch (INT64 annotated TIMESTAMP).
    case timestamp(TimeUnit, adjustedToUTC: Bool)

    /// Milliseconds since the epoch, UTC-adjusted.
    public static let timestampMillis = ParquetType.timestamp(.millis, adjustedToUTC: true)
    /// Microseconds since the epoch, UTC-adjusted.
    public static let timestampMicros = ParquetType.timestamp(.micros, adjustedToUTC: true)

    /// The in-memory representation used for this type.
    public var storage: ColumnValues.Kind {
        switch self {
        case .boolean: .boolean
        case .int8, .int16, .int32, .date: .int32
        case .int64, .timestamp: .int64
        case .float: .float
        case .double: .double
        case .string: .string
        case .binary: .binary
        }
    }

    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .date: "date"
        case .timestamp(let unit, let utc): "timestamp[\(unit)\(utc ? ", UTC" : "")]"
        }
    }
}
