/// The columns of the `alerts` table and their Delta types. Names avoid SQL keywords (`at`,
/// `position`, `type`) so that SQL explorer queries need no quoting.
///
/// Like the other tables, times are Delta `timestamp` (Parquet TIMESTAMP(MICROS, UTC)) so
/// delta-rs and DuckDB read them without casts; `date` (the UTC date of `event_time`) exists only as
/// the partition column. Few rows a day, so no other partitioning.
public enum AlertColumn: String, Sendable, CaseIterable {
    case position = "seq"
    case id
    case alertID = "alert_id"
    case kind
    case ruleID = "rule_id"
    case ruleName = "rule_name"
    case type = "rule_type"
    case severity
    case asset
    case source
    case value
    case threshold
    case firedAt = "fired_time"
    case at = "event_time"

    public static let partitionColumns = ["date"]

    var deltaType: DeltaDataType {
        switch self {
        case .position: .long
        case .value, .threshold: .double
        case .firedAt, .at: .timestamp
        default: .string
        }
    }

    /// Only the series of an alert may be absent (a stale-source alert has no asset).
    var nullable: Bool { self == .asset || self == .source }

    static func deltaSchema() -> DeltaSchema {
        var fields = allCases.map { DeltaSchema.Field(name: $0.rawValue, type: $0.deltaType, nullable: true) }
        fields.append(DeltaSchema.Field(name: "date", type: .date))
        return DeltaSchema(fields: fields)
    }
}
