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
        if case .string(let v)? = columns[column.rawValue]?.values { return v }
        return nil
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

    private func optionalDouble(_ column: TickColumn, _ i: Int) -> Double? {
        guard let data = columns[column.rawValue], !data.isNull(i) else { return nil }
        switch data.values {
        case .double(let v): return v[i]
        case .float(let v): return Double(v[i])
        default: return nil
        }
    }

    /// Row `i` as a record; columns the file lacks take their neutral values.
    func record(at i: Int) -> LakeRecord {
        let assets = strings(.asset)
        let times = int64s(.sourceTime)
        let tick = Tick(
            source: ProviderID(sourceValue(at: i, strings(.source))),
            asset: AssetID(assets?[i] ?? (partition["crypto"] ?? nil) ?? ""),
            symbol: strings(.symbol)?[i] ?? "",
            quoteCurrency: strings(.quoteCurrency)?[i] ?? "USD",
            price: doubles(.price)?[i] ?? .nan,
            marketCap: optionalDouble(.marketCap, i),
            volume24h: optionalDouble(.volume24h, i),
            change1h: optionalDouble(.change1h, i),
            change24h: optionalDouble(.change24h, i),
            change7d: optionalDouble(.change7d, i),
            sourceTimeMillis: times?[i] ?? 0,
            collectedTimeMillis: int64s(.collectedTime)?[i] ?? 0)
        return LakeRecord(
            tick: tick,
            ingestedTimeMillis: int64s(.ingestedTime)?[i] ?? 0,
            processedTimeMillis: int64s(.processedTime)?[i] ?? 0,
            busTopic: strings(.busTopic)?[i] ?? "",
            busPartition: int64s(.busPartition).map { Int32(truncatingIfNeeded: $0[i]) } ?? -1,
            busOffset: int64s(.busOffset)?[i] ?? -1)
    }
}
