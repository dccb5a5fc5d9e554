/// The columns of the candles table and their Delta types.
///
/// Like the tick table: timestamps are Delta `timestamp` stored as Parquet
/// TIMESTAMP(MICROS, UTC) (delta-rs and DuckDB read them as timestamps without casts), the
/// API speaks Unix ms; `source` is both a column and a partition column, so data files leave
/// it out; `date` (the UTC date of `open_time`) exists only as a partition column.
public enum CandleColumn: String, Sendable, CaseIterable {
    case source
    case asset
    case symbol
    case quoteCurrency = "quote_currency"
    case interval
    case openTime = "open_time"
    case open
    case high
    case low
    case close
    case baseVolume = "base_volume"
    case quoteVolume = "quote_volume"
    case tradeCount = "trade_count"
    case marketCap = "market_cap"
    case isFinal = "final"
    case origin
    case ingestTime = "ingest_time"

    /// The partition columns, outermost first (the tick table's default layout).
    public static let partitionColumns = ["date", "source"]

    var deltaType: DeltaDataType {
        switch self {
        case .source, .asset, .symbol, .quoteCurrency, .interval, .origin: .string
        case .openTime, .ingestTime: .timestamp
        case .open, .high, .low, .close, .baseVolume, .quoteVolume, .marketCap: .double
        case .tradeCount: .long
        case .isFinal: .boolean
        }
    }

    /// Whether the writer may store nulls (the Parquet column is optional).
    var nullable: Bool { [.baseVolume, .quoteVolume, .tradeCount, .marketCap].contains(self) }

    /// The schema a new candles table is created with.
    static func deltaSchema() -> DeltaSchema {
        var fields = allCases.map {
            // Declared nullable as Spark and delta-rs declare the columns they write; the
            // writer stores nulls only in the optional ones (volumes, trade count, market cap),
            // so making the volumes optional needed no schema change.
            DeltaSchema.Field(name: $0.rawValue, type: $0.deltaType, nullable: true)
        }
        fields.append(DeltaSchema.Field(name: "date", type: .date))
        return DeltaSchema(fields: fields)
    }

    /// The columns stored inside data files.
    static var dataColumns: [CandleColumn] { allCases.filter { $0 != .source } }

    /// Every name the table defines at creation (data and partition columns).
    static let builtInNames: Set<String> = Set(allCases.map(\.rawValue) + partitionColumns)
}
