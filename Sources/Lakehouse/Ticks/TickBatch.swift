import CryptoVizCore
import Parquet

/// The rows of one data file as typed columns, with the file's partition values: what a scan
/// filters and aggregates without building a record per row.
///
/// Timestamp columns are normalized to Unix milliseconds whatever unit the file used
/// (CryptoViz writes micros; other writers may use millis or nanos).
struct TickBatch: Sendable {
    let count: Int
    let columns: [String: ColumnData]
    let partition: [String: String?]
    /// True when the file's timestamps had digits below the millisecond, which this batch
    /// dropped: fine for scans, but a rewrite of the file would lose them.
    let droppedSubMillisecondDigits: Bool

    init(count: Int, columns: [String: ColumnData], partition: [String: String?], droppedSubMillisecondDigits: Bool = false) {
        self.count = count
        self.columns = columns
        self.partition = partition
        self.droppedSubMillisecondDigits = droppedSubMillisecondDigits
    }

    func strings(_ column: TickColumn) -> [String]? {
        columns[column.rawValue]?.values.strings
    }

    func int64s(_ column: TickColumn) -> [Int64]? {
        switch columns[column.rawValue]?.values {
        case .int64(let v)?: return v
        case .int32(let v)?: return v.map(Int64.init)
        default: return nil
        }
    }

    func doubles(_ column: TickColumn) -> [Double]? {
        switch columns[column.rawValue]?.values {
        case .double(let v)?: return v
        case .float(let v)?: return v.map(Double.init)
        default: return nil
        }
    }

    /// The source of every row: the partition value when the table partitions by source.
    func sourceValue(at i: Int, _ sources: [String]?) -> String {
        if let s = partition["source"] ?? nil { return s }
        return sources?[i] ?? ""
    }

    /// The columns looked up and widened once, for reading many rows.
    func rows() -> TickBatchRows { TickBatchRows(self) }
}

/// One batch's columns, each looked up and widened once (an Int32 column converted per row
/// made every row cost a whole column: quadratic scans and compactions).
struct TickBatchRows {
    private let batch: TickBatch
    private let sources: [String]?
    private let assets: [String]?
    private let symbols: [String]?
    private let quoteCurrencies: [String]?
    private let prices: [Double]?
    private let marketCaps: ColumnData?
    private let volumes: ColumnData?
    private let changes1h: ColumnData?
    private let changes24h: ColumnData?
    private let changes7d: ColumnData?
    private let sourceTimes: [Int64]?
    private let collectedTimes: [Int64]?
    private let ingestedTimes: [Int64]?
    private let processedTimes: [Int64]?
    private let topics: [String]?
    private let partitions: [Int64]?
    private let offsets: [Int64]?

    init(_ batch: TickBatch) {
        self.batch = batch
        sources = batch.strings(.source)
        assets = batch.strings(.asset)
        symbols = batch.strings(.symbol)
        quoteCurrencies = batch.strings(.quoteCurrency)
        prices = batch.doubles(.price)
        marketCaps = batch.columns[TickColumn.marketCap.rawValue]
        volumes = batch.columns[TickColumn.volume24h.rawValue]
        changes1h = batch.columns[TickColumn.change1h.rawValue]
        changes24h = batch.columns[TickColumn.change24h.rawValue]
        changes7d = batch.columns[TickColumn.change7d.rawValue]
        sourceTimes = batch.int64s(.sourceTime)
        collectedTimes = batch.int64s(.collectedTime)
        ingestedTimes = batch.int64s(.ingestedTime)
        processedTimes = batch.int64s(.processedTime)
        topics = batch.strings(.busTopic)
        partitions = batch.int64s(.busPartition)
        offsets = batch.int64s(.busOffset)
    }

    private static func optionalDouble(_ data: ColumnData?, _ i: Int) -> Double? {
        guard let data, !data.isNull(i) else { return nil }
        switch data.values {
        case .double(let v): return v[i]
        case .float(let v): return Double(v[i])
        default: return nil
        }
    }

    func record(at i: Int) -> LakeRecord {
        let tick = Tick(
            source: ProviderID(batch.sourceValue(at: i, sources)),
            asset: AssetID(assets?[i] ?? (batch.partition["crypto"] ?? nil) ?? ""),
            symbol: symbols?[i] ?? "",
            quoteCurrency: quoteCurrencies?[i] ?? "USD",
            price: prices?[i] ?? .nan,
            marketCap: Self.optionalDouble(marketCaps, i),
            volume24h: Self.optionalDouble(volumes, i),
            change1h: Self.optionalDouble(changes1h, i),
            change24h: Self.optionalDouble(changes24h, i),
            change7d: Self.optionalDouble(changes7d, i),
            sourceTimeMillis: sourceTimes?[i] ?? 0,
            collectedTimeMillis: collectedTimes?[i] ?? 0)
        return LakeRecord(
            tick: tick,
            ingestedTimeMillis: ingestedTimes?[i] ?? 0,
            processedTimeMillis: processedTimes?[i] ?? 0,
            busTopic: topics?[i] ?? "",
            busPartition: partitions.map { Int32(truncatingIfNeeded: $0[i]) } ?? -1,
            busOffset: offsets?[i] ?? -1)
    }
}
