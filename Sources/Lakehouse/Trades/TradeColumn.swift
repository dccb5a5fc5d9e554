import Parquet

/// The columns of the trades table and their Delta types.
///
/// Like the other tables: timestamps are Delta `timestamp` (Parquet TIMESTAMP(MICROS, UTC)) so
/// delta-rs and DuckDB read them without casts, the API speaks Unix ms; `source` is both a
/// column and a partition column, so data files leave it out; `date` (the UTC date of
/// `trade_time`) exists only as a partition column. The bus columns are the tick table's: where
/// the row came from, and what the exactly-once positions count.
public enum TradeColumn: String, Sendable, CaseIterable {
    case source
    case asset
    /// The venue's pair (`Trade.pair`), named as in the other tables.
    case symbol
    case base
    case quoteCurrency = "quote_currency"
    case tradeID = "trade_id"
    case price
    case quantity
    case buyerIsMaker = "buyer_is_maker"
    case tradeTime = "trade_time"
    case eventTime = "event_time"
    case ingestedTime = "ingested_time"
    case processedTime = "processed_time"
    case busTopic = "bus_topic"
    case busPartition = "bus_partition"
    case busOffset = "bus_offset"

    /// The partition columns, outermost first (the tick table's default layout).
    public static let partitionColumns = ["date", "source"]

    var deltaType: DeltaDataType {
        switch self {
        case .source, .asset, .symbol, .base, .quoteCurrency, .busTopic: .string
        case .tradeID, .busOffset: .long
        case .busPartition: .integer
        case .price, .quantity: .double
        case .buyerIsMaker: .boolean
        case .tradeTime, .eventTime, .ingestedTime, .processedTime: .timestamp
        }
    }

    var isTimestamp: Bool { deltaType == .timestamp }

    var parquetType: ParquetType {
        switch deltaType {
        case .long: .int64
        case .integer: .int32
        case .double: .double
        case .boolean: .boolean
        case .timestamp: .timestampMicros
        default: .string
        }
    }

    /// The schema a new trades table is created with: declared nullable as Spark and delta-rs
    /// declare the columns they write; the writer stores no nulls.
    static func deltaSchema() -> DeltaSchema {
        var fields = allCases.map { DeltaSchema.Field(name: $0.rawValue, type: $0.deltaType, nullable: true) }
        fields.append(DeltaSchema.Field(name: "date", type: .date))
        return DeltaSchema(fields: fields)
    }

    /// The columns stored inside data files.
    static var dataColumns: [TradeColumn] { allCases.filter { $0 != .source } }
}
