import CryptoVizCore
import Parquet

/// The rows of one candles data file as typed columns, with the file's partition values;
/// timestamps normalized to Unix ms whatever unit the file used.
struct CandleBatch: Sendable {
    let count: Int
    let columns: [String: ColumnData]
    let partition: [String: String?]
    /// Timestamp columns left in the file's unit: units per ms (1 000 for µs). Empty for a
    /// normalized batch, whose timestamps are all ms.
    var timeScales: [String: Int64] = [:]

    func strings(_ column: CandleColumn) -> [String]? {
        if case .string(let v)? = columns[column.rawValue]?.values { return v }
        return nil
    }

    func int64s(_ column: CandleColumn) -> [Int64]? {
        switch columns[column.rawValue]?.values {
        case .int64(let v)?: return v
        case .int32(let v)?: return v.map(Int64.init)
        default: return nil
        }
    }

    func doubles(_ column: CandleColumn) -> [Double]? {
        switch columns[column.rawValue]?.values {
        case .double(let v)?: return v
        case .float(let v)?: return v.map(Double.init)
        default: return nil
        }
    }

    /// The source of every row: the partition value (the table partitions by source).
    func source(at i: Int, _ sources: [String]?) -> String {
        if let s = partition["source"] ?? nil { return s }
        return sources?[i] ?? ""
    }
}

/// One batch's columns looked up once, for building the records of the rows a scan keeps.
struct CandleBatchRows {
    private let batch: CandleBatch
    private let sources: [String]?
    private let assets: [String]?
    private let symbols: [String]?
    private let quoteCurrencies: [String]?
    private let intervals: [String]?
    private let openTimes: [Int64]?
    private let ingestTimes: [Int64]?
    private let origins: [String]?
    private let extras: [(name: String, type: DeltaDataType, data: ColumnData)]

    init(_ batch: CandleBatch, extras: [CandleFileCodec.ExtraField]) {
        self.batch = batch
        sources = batch.strings(.source)
        assets = batch.strings(.asset)
        symbols = batch.strings(.symbol)
        quoteCurrencies = batch.strings(.quoteCurrency)
        intervals = batch.strings(.interval)
        openTimes = batch.int64s(.openTime)
        ingestTimes = batch.int64s(.ingestTime)
        origins = batch.strings(.origin)
        self.extras = extras.compactMap { field in batch.columns[field.name].map { (field.name, field.type, $0) } }
    }

    private func double(_ column: CandleColumn, _ i: Int) -> Double? {
        guard let data = batch.columns[column.rawValue], !data.isNull(i) else { return nil }
        switch data.values {
        case .double(let v): return v[i]
        case .float(let v): return Double(v[i])
        default: return nil
        }
    }

    private func int64(_ column: CandleColumn, _ i: Int) -> Int64? {
        guard let data = batch.columns[column.rawValue], !data.isNull(i) else { return nil }
        switch data.values {
        case .int64(let v): return v[i]
        case .int32(let v): return Int64(v[i])
        default: return nil
        }
    }

    private func bool(_ column: CandleColumn, _ i: Int) -> Bool? {
        guard let data = batch.columns[column.rawValue], !data.isNull(i), case .boolean(let v) = data.values else { return nil }
        return v[i]
    }

    private static func extraValue(_ type: DeltaDataType, _ data: ColumnData, _ i: Int) -> CandleExtraValue? {
        guard !data.isNull(i) else { return nil }
        switch (type, data.values) {
        case (.timestamp, .int64(let v)): return .timestampMillis(v[i])
        case (_, .int64(let v)): return .long(v[i])
        case (_, .int32(let v)): return .long(Int64(v[i]))
        case (_, .double(let v)): return .double(v[i])
        case (_, .float(let v)): return .double(Double(v[i]))
        case (_, .boolean(let v)): return .boolean(v[i])
        case (_, .string(let v)): return .string(v[i])
        default: return nil
        }
    }

    /// The record of row `i`; a value the file lacks reads as the type's neutral value
    /// (foreign files only: CryptoViz writes every built-in column).
    func record(at i: Int) -> CandleRecord {
        var extra: [String: CandleExtraValue] = [:]
        for column in extras {
            if let value = Self.extraValue(column.type, column.data, i) { extra[column.name] = value }
        }
        return CandleRecord(
            source: ProviderID(batch.source(at: i, sources)),
            asset: AssetID(assets?[i] ?? ""),
            symbol: symbols?[i] ?? "",
            quoteCurrency: quoteCurrencies?[i] ?? "",
            interval: intervals.flatMap { CandleInterval(rawValue: $0[i]) } ?? .oneMinute,
            openTimeMillis: openTimes?[i] ?? 0,
            open: double(.open, i) ?? .nan, high: double(.high, i) ?? .nan,
            low: double(.low, i) ?? .nan, close: double(.close, i) ?? .nan,
            baseVolume: double(.baseVolume, i), quoteVolume: double(.quoteVolume, i),
            tradeCount: int64(.tradeCount, i), marketCap: double(.marketCap, i),
            isFinal: bool(.isFinal, i) ?? false,
            origin: origins.flatMap { CandleOrigin(rawValue: $0[i]) } ?? .backfill,
            ingestTimeMillis: ingestTimes?[i] ?? 0,
            extra: extra)
    }
}
