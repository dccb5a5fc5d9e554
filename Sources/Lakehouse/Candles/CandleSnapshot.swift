import CryptoVizCore
import ObjectStore

/// The candles table at one version, and its scans.
///
/// Scans prune files by partition values (source, date of the open time) and statistics
/// (asset, interval and open-time min/max), read only the data files left, and apply the
/// read rule for repeated keys: of the rows of one (source, asset, interval, open time), the
/// scan returns the `final` one if any (the latest ingested of them), else the latest
/// ingested, whatever the rows' origins. A still-open rollup bar rewritten many times thus
/// reads as its newest state, a closed bar is never replaced by a late open one, and a
/// corrected final bar (a rollup's late tick, a backfill run after the rollups) replaces the
/// earlier final one. Rows of equal finality and ingest time (one millisecond) go to the
/// higher `CandleOrigin.tieRank`; the rollup writer never gives two rows of one bar the same
/// ingest time.
public struct CandleSnapshot: Sendable {
    public let delta: DeltaSnapshot
    let table: DeltaTable
    /// How many data files a scan reads at once.
    public var readConcurrency = 8

    init(delta: DeltaSnapshot, table: DeltaTable) {
        self.delta = delta
        self.table = table
    }

    public var version: Int64 { delta.version }

    /// The last version committed by writer `appId`, or nil.
    public func transactionVersion(appId: String) -> Int64? { delta.transactionVersion(appId) }

    /// The active files that may hold bars matching the filters (`toMillis` exclusive, on open time).
    public func candidateFiles(asset: AssetID? = nil, source: ProviderID? = nil, interval: CandleInterval? = nil,
                               fromMillis: Int64? = nil, toMillis: Int64? = nil) -> [AddFile] {
        let firstDay = fromMillis.map { CivilDate(unixMillis: $0) }
        let lastDay = toMillis.map { CivilDate(unixMillis: $0 - 1) }
        return delta.files.filter { file in
            let pv = file.partitionValues
            if let source, let s = pv["source"] ?? nil, s != source.rawValue { return false }
            if !partitionDay(of: pv, within: firstDay, lastDay) { return false }
            guard let stats = file.parsedStatistics() else { return true }
            if let asset, let range = stats.stringRange(CandleColumn.asset.rawValue), !range.contains(asset.rawValue) {
                return false
            }
            if let interval, let range = stats.stringRange(CandleColumn.interval.rawValue), !range.contains(interval.rawValue) {
                return false
            }
            if let range = stats.timestampRange(CandleColumn.openTime.rawValue) {
                if let fromMillis, range.upperBound < fromMillis { return false }
                if let toMillis, range.lowerBound >= toMillis { return false }
            }
            return true
        }
    }

    /// Reads files concurrently (bounded), handing each decoded batch to `body` in file order.
    func read(_ files: [AddFile], columns: [String], filter: RowGroupFilter? = nil,
              _ body: (CandleBatch) throws -> Void) async throws {
        try await read(files, columnsOf: Array(repeating: columns, count: files.count), filter: filter) { _, batch in try body(batch) }
    }

    /// `read` with the columns to decode chosen per file (`columnsOf[i]` for `files[i]`);
    /// `body` gets each batch with its file's index.
    func read(_ files: [AddFile], columnsOf: [[String]], filter: RowGroupFilter? = nil, rawTimes: Bool = false,
              _ body: (Int, CandleBatch) throws -> Void) async throws {
        let store = table.store
        let keys = files.map { table.dataKey($0.relativeKey) }
        let version = delta.version
        try await inOrderConcurrently(count: files.count, width: readConcurrency, { i in
            try await CandleFileCodec.fetch(files[i], from: store, key: keys[i], columns: columnsOf[i], filter: filter,
                                            version: version, rawTimes: rawTimes)
        }, body)
    }

    /// Bars of `interval` matching the filters (open time in [`fromMillis`, `toMillis`)), one
    /// per key by the read rule, ordered by open time, then source and asset. Columns added
    /// after a file was written read as absent from `extra` (null).
    public func candles(asset: AssetID? = nil, source: ProviderID? = nil, interval: CandleInterval,
                        fromMillis: Int64? = nil, toMillis: Int64? = nil) async throws -> [CandleRecord] {
        struct Key: Hashable { var source: String; var asset: String; var openTime: Int64 }
        let files = candidateFiles(asset: asset, source: source, interval: interval, fromMillis: fromMillis, toMillis: toMillis)
        let extras = CandleFileCodec.extraFields(delta.schema)
        let columns = CandleColumn.allCases.map(\.rawValue) + extras.map(\.name)
        // The record a key keeps, and the tie rank of the row it came from (a missing or unknown
        // origin ranks 0, whatever the record's defaulted `origin` says).
        var chosen: [Key: (record: CandleRecord, rank: Int)] = [:]
        let filter = RowGroupFilter.candles(asset: asset, interval: interval, fromMillis: fromMillis, toMillis: toMillis)
        try await read(files, columns: columns, filter: filter) { batch in
            guard let assets = batch.strings(.asset), let intervals = batch.strings(.interval),
                  let openTimes = batch.int64s(.openTime) else { return }
            let sources = batch.strings(.source)
            let ingestTimes = batch.int64s(.ingestTime)
            let origins = batch.strings(.origin)
            let finals: [Bool]? = if case .boolean(let v)? = batch.columns[CandleColumn.isFinal.rawValue]?.values { v } else { nil }
            let rows = CandleBatchRows(batch, extras: extras)
            for i in 0..<batch.count {
                if intervals[i] != interval.rawValue { continue }
                if let asset, assets[i] != asset.rawValue { continue }
                let s = batch.source(at: i, sources)
                if let source, s != source.rawValue { continue }
                let t = openTimes[i]
                if let fromMillis, t < fromMillis { continue }
                if let toMillis, t >= toMillis { continue }
                let key = Key(source: s, asset: assets[i], openTime: t)
                let rank = CandleOrigin.tieRank(raw: origins?[i])
                if let (current, currentRank) = chosen[key] {
                    let isFinal = finals?[i] ?? false
                    let ingest = ingestTimes?[i] ?? 0
                    // The read rule: final beats open; between equals, the later ingest wins;
                    // an exact tie goes to the higher-ranked origin (`CandleOrigin.tieRank`), so
                    // the answer does not depend on the order files are listed in (rows equal
                    // in all three keep the first met).
                    if current.isFinal && !isFinal { continue }
                    if current.isFinal == isFinal {
                        if ingest < current.ingestTimeMillis { continue }
                        if ingest == current.ingestTimeMillis, rank <= currentRank { continue }
                    }
                }
                chosen[key] = (rows.record(at: i), rank)
            }
        }
        return chosen.values.map(\.record).sorted {
            ($0.openTimeMillis, $0.source.rawValue, $0.asset.rawValue) < ($1.openTimeMillis, $1.source.rawValue, $1.asset.rawValue)
        }
    }

    /// Every (source, asset, interval) series with its first and last open time, ordered by
    /// source, asset, interval. A file whose statistics show one asset and one interval is
    /// summarized from the log alone; only files mixing several are read (three columns).
    public func series() async throws -> [CandleSeries] {
        Self.merge(try await seriesByFile(delta.files).values)
    }

    /// Per file (by path): the series it holds, each with its first and last open time in that
    /// file. Data files never change, so a reader may keep these per path and summarize a new
    /// version by reading only the files it added (`merge` joins the parts).
    public func seriesByFile(_ files: [AddFile]) async throws -> [String: [CandleSeries]] {
        struct Key: Hashable { var source: String; var asset: String; var interval: String }
        var out: [String: [CandleSeries]] = [:]
        var mixed: [AddFile] = []
        for file in files {
            let stats = file.parsedStatistics()
            if let source = file.partitionValues["source"] ?? nil,
               let assets = stats?.stringRange(CandleColumn.asset.rawValue), assets.lowerBound == assets.upperBound,
               let intervals = stats?.stringRange(CandleColumn.interval.rawValue), intervals.lowerBound == intervals.upperBound,
               let interval = CandleInterval(rawValue: intervals.lowerBound),
               let lo = stats?.minValues[CandleColumn.openTime.rawValue]?.stringValue.flatMap(DeltaTimestamp.parseMillis),
               let hi = stats?.maxValues[CandleColumn.openTime.rawValue]?.stringValue.flatMap(DeltaTimestamp.parseMillis) {
                out[file.path] = [CandleSeries(source: ProviderID(source), asset: AssetID(assets.lowerBound), interval: interval,
                                               firstOpenTimeMillis: lo, lastOpenTimeMillis: hi)]
            } else if stats?.numRecords != 0 {
                mixed.append(file)
            } else {
                out[file.path] = []
            }
        }
        // An interval column the statistics show to hold one value is not decoded.
        let intervalOf = mixed.map { file -> String? in
            let stats = file.parsedStatistics()
            guard let range = stats?.stringRange(CandleColumn.interval.rawValue), range.lowerBound == range.upperBound,
                  stats?.nullCount[CandleColumn.interval.rawValue] == .int(0) else { return nil }
            return range.lowerBound
        }
        let columnsOf = intervalOf.map { constant in
            ([CandleColumn.source, .asset, .openTime] + (constant == nil ? [.interval] : [])).map(\.rawValue)
        }
        try await read(mixed, columnsOf: columnsOf) { index, batch in
            guard let assets = batch.strings(.asset), let openTimes = batch.int64s(.openTime) else {
                out[mixed[index].path] = []
                return
            }
            let intervals = batch.strings(.interval)
            let sources = batch.strings(.source)
            var ranges: [Key: ClosedRange<Int64>] = [:]
            // Rows come sorted by asset and interval: one hash per run of a key, not per row
            // (hashing three strings per row was most of listing a year of 1-minute bars), and
            // the partition's source looked up once per file.
            let partitionSource = batch.partition["source"] ?? nil
            var key: Key?
            var low: Int64 = 0, high: Int64 = 0
            func flush() {
                guard let key else { return }
                if let old = ranges[key] {
                    ranges[key] = min(old.lowerBound, low)...max(old.upperBound, high)
                } else {
                    ranges[key] = low...high
                }
            }
            for i in 0..<batch.count {
                guard let interval = intervals?[i] ?? intervalOf[index] else { continue }
                let source = partitionSource ?? sources?[i] ?? ""
                let t = openTimes[i]
                if let current = key, current.asset == assets[i], current.interval == interval, current.source == source {
                    if t < low { low = t }
                    if t > high { high = t }
                    continue
                }
                flush()
                key = Key(source: source, asset: assets[i], interval: interval)
                low = t
                high = t
            }
            flush()
            out[mixed[index].path] = ranges.compactMap { key, range in
                CandleInterval(rawValue: key.interval).map {
                    CandleSeries(source: ProviderID(key.source), asset: AssetID(key.asset), interval: $0,
                                 firstOpenTimeMillis: range.lowerBound, lastOpenTimeMillis: range.upperBound)
                }
            }
        }
        return out
    }

    private struct SeriesKey: Hashable {
        var source: ProviderID
        var asset: AssetID
        var interval: CandleInterval
    }

    /// Per-file series joined: one per (source, asset, interval) with the widest span,
    /// ordered by source, asset, interval.
    public static func merge(_ parts: some Sequence<[CandleSeries]>) -> [CandleSeries] {
        var merged: [SeriesKey: CandleSeries] = [:]
        for part in parts {
            for series in part {
                let key = SeriesKey(source: series.source, asset: series.asset, interval: series.interval)
                if var known = merged[key] {
                    known.firstOpenTimeMillis = min(known.firstOpenTimeMillis, series.firstOpenTimeMillis)
                    known.lastOpenTimeMillis = max(known.lastOpenTimeMillis, series.lastOpenTimeMillis)
                    merged[key] = known
                } else {
                    merged[key] = series
                }
            }
        }
        return merged.values.sorted {
            ($0.source.rawValue, $0.asset.rawValue, $0.interval.millis) < ($1.source.rawValue, $1.asset.rawValue, $1.interval.millis)
        }
    }
}

extension CandleTable {
    /// `CandleSnapshot.candles` on the latest version.
    public func candles(asset: AssetID? = nil, source: ProviderID? = nil, interval: CandleInterval,
                        fromMillis: Int64? = nil, toMillis: Int64? = nil) async throws -> [CandleRecord] {
        try await snapshot().candles(asset: asset, source: source, interval: interval, fromMillis: fromMillis, toMillis: toMillis)
    }

    /// `CandleSnapshot.series` on the latest version.
    public func series() async throws -> [CandleSeries] {
        try await snapshot().series()
    }
}
