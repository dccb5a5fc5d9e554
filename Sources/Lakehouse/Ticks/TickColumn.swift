/// The columns of the tick table, their Delta types, and which are nullable.
///
/// Timestamps are Delta `timestamp` (microseconds, UTC, as Delta defines the type), stored in
/// Parquet as TIMESTAMP(MICROS, UTC) so that delta-rs and DuckDB's delta_scan read them
/// without casts; the API speaks milliseconds like `Tick`.
public enum TickColumn: String, Sendable, CaseIterable {
    case eventID = "event_id"
    case source
    case asset
    case symbol
    case quoteCurrency = "quote_currency"
    case price
    case marketCap = "market_cap"
    case volume24h = "volume_24h"
    case change1h = "change_1h"
    case change24h = "change_24h"
    case change7d = "change_7d"
    case sourceTime = "source_time"
    case collectedTime = "collected_time"
    case ingestedTime = "ingested_time"
    case processedTime = "processed_time"
    case busTopic = "bus_topic"
    case busPartition = "bus_partition"
    case busOffset = "bus_offset"

    var deltaType: DeltaDataType {
        switch self {
        case .eventID, .source, .asset, .symbol, .quoteCurrency, .busTopic: .string
        case .price, .marketCap, .volume24h, .change1h, .change24h, .change7d: .double
        case .sourceTime, .collectedTime, .ingestedTime, .processedTime: .timestamp
        case .busPartition: .integer
        case .busOffset: .long
        }
    }

    var nullable: Bool {
        switch self {
        case .marketCap, .volume24h, .change1h, .change24h, .change7d: true
        default: false
        }
    }

    var isTimestamp: Bool { deltaType == .timestamp }

    /// The table's Delta schema for a layout: every tick column, then the partition columns
    /// the layout adds (`source` is both a column and a partition column).
    static func deltaSchema(_ layout: TableLayout) -> DeltaSchema {
        var fields = allCases.map {
            // Declared nullable like Spark and delta-rs declare columns they write; the
            // writer still never writes nulls into the non-optional ones.
            DeltaSchema.Field(name: $0.rawValue, type: $0.deltaType, nullable: true)
        }
        for field in layout.partitionFields where !fields.contains(where: { $0.name == field.name }) {
            fields.append(field)
        }
        return DeltaSchema(fields: fields)
    }

    /// The columns stored inside data files for a table partitioned by `partitionColumns`.
    static func dataColumns(partitionColumns: [String]) -> [TickColumn] {
        allCases.filter { !partitionColumns.contains($0.rawValue) }
    }
}
