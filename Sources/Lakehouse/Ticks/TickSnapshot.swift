import CryptoVizCore
import ObjectStore

/// A tick table at one version, and the scans the dashboard and API need over it.
///
/// Scans prune files by partition values (source, date) and by statistics (asset and
/// source-time min/max) before reading any data, read only the needed columns, then filter
/// rows. A snapshot never changes: concurrent commits do not affect a scan in progress.
public struct TickSnapshot: Sendable {
    public let delta: DeltaSnapshot
    let table: DeltaTable
    /// How many data files a scan reads at once.
    public var readConcurrency = 8

    init(delta: DeltaSnapshot, table: DeltaTable) {
        self.delta = delta
        self.table = table
    }

    public var version: Int64 { delta.version }

    /// The layout, when the table's partition columns match one.
    public var layout: TableLayout? { TableLayout(partitionColumns: delta.partitionColumns) }

    /// The last version committed by the stream `appId`, or nil.
    public func transactionVersion(appId: String) -> Int64? { delta.transactionVersion(appId) }

    // MARK: - File selection

    /// The active files that may hold rows matching the filters (`toMillis` exclusive).
    public func candidateFiles(asset: AssetID? = nil, source: ProviderID? = nil,
                               fromMillis: Int64? = nil, toMillis: Int64? = nil) -> [AddFile] {
        let firstDay = fromMillis.map { CivilDate(unixMillis: $0) }
        let lastDay = toMillis.map { CivilDate(unixMillis: $0 - 1) }
        return delta.files.filter { file in
            let pv = file.partitionValues
            if let source, let s = pv["source"] ?? nil, s != source.rawValue { return false }
            if let asset, let c = pv["crypto"] ?? nil, c != asset.rawValue { return false }
            if !partitionDay(of: pv, within: firstDay, lastDay) { return false }
            guard let stats = file.parsedStatistics() else { return true }
            if let asset, let range = stats.stringRange(TickColumn.asset.rawValue), !range.contains(asset.rawValue) {
                return false
            }
            if let source, pv["source"] == nil, let range = stats.stringRange(TickColumn.source.rawValue),
               !range.contains(source.rawValue) {
                return false
            }
            if let range = stats.timestampRange(TickColumn.sourceTime.rawValue) {
                if let fromMillis, range.upperBound < fromMillis { return false }
                if let toMillis, range.lowerBound >= toMillis { return false }
            }
            return true
        }
    }

    /// Reads files concurrently (bounded), handing each decoded batch to `body` in file order.
    func read(_ files: [AddFile], columns: [TickColumn], filter: RowGroupFilter? = nil,
              _ body: (TickBatch) throws -> Void) async throws {
        let store = table.store
        let keys = files.map { table.dataKey($0.relativeKey) }
        let columnsInFile = TickColumn.dataColumns(partitionColumns: delta.partitionColumns)
        let wanted = columns.filter { columnsInFile.contains($0) }
        let version = delta.version
        try await inOrderConcurrently(count: files.count, width: readConcurrency, { i in
            try await TickFileCodec.fetch(files[i], from: store, key: keys[i], columns: wanted, filter: filter, version: version)
        }, { _, batch in try body(batch) })
    }

    // MARK: - Scans

    /// Ticks matching the filters (`fromMillis` inclusive, `toMillis` exclusive), ordered by
    /// source time then source and asset; at most `limit` (the earliest ones).
    public func ticks(asset: AssetID? = nil, source: ProviderID? = nil, fromMillis: Int64? = nil,
                      toMillis: Int64? = nil, limit: Int? = nil) async throws -> [LakeRecord] {
        let files = candidateFiles(asset: asset, source: source, fromMillis: fromMillis, toMillis: toMillis)
        var out: [LakeRecord] = []
        let filter = RowGroupFilter.ticks(asset: asset?.rawValue, fromMillis: fromMillis, toMillis: toMillis)
        try await read(files, columns: TickColumn.allCases, filter: filter) { batch in
            let assets = batch.strings(.asset)
            let sources = batch.strings(.source)
            let times = batch.int64s(.sourceTime)
            let rows = batch.rows()
            for i in 0..<batch.count {
                if let asset, assets?[i] != asset.rawValue { continue }
                if let source, batch.sourceValue(at: i, sources) != source.rawValue { continue }
                if let t = times?[i] {
                    if let fromMillis, t < fromMillis { continue }
                    if let toMillis, t >= toMillis { continue }
                }
                out.append(rows.record(at: i))
            }
        }
        out.sort {
            ($0.tick.sourceTimeMillis, $0.tick.source.rawValue, $0.tick.asset.rawValue)
                < ($1.tick.sourceTimeMillis, $1.tick.source.rawValue, $1.tick.asset.rawValue)
        }
        if let limit, out.count > limit { out.removeLast(out.count - max(0, limit)) }
        return out
    }

    /// Time-bucketed OHLC, mean and count per asset and source, ordered by asset, source, time.
    public func candles(asset: AssetID? = nil, source: ProviderID? = nil, interval: CandleInterval,
                        fromMillis: Int64? = nil, toMillis: Int64? = nil) async throws -> [Candle] {
        struct Key: Hashable { var asset: String; var source: String }
        var series: [Key: [(Int64, Double)]] = [:]
        let files = candidateFiles(asset: asset, source: source, fromMillis: fromMillis, toMillis: toMillis)
        let filter = RowGroupFilter.ticks(asset: asset?.rawValue, fromMillis: fromMillis, toMillis: toMillis)
        try await read(files, columns: [.asset, .source, .sourceTime, .price], filter: filter) { batch in
            guard let assets = batch.strings(.asset), let times = batch.int64s(.sourceTime),
                  let prices = batch.doubles(.price) else { return }
            let sources = batch.strings(.source)
            let priceColumn = batch.columns[TickColumn.price.rawValue]
            let lower = fromMillis ?? .min, upper = toMillis ?? .max
            // Rows come in runs of one asset (and, with source partitions, one source): the
            // filters and the series lookup happen once per run, the rows are only copied.
            var i = 0
            while i < batch.count {
                let s = batch.sourceValue(at: i, sources)
                var end = i + 1
                while end < batch.count && assets[end] == assets[i] && (sources == nil || sources![end] == s) { end += 1 }
                defer { i = end }
                if let asset, assets[i] != asset.rawValue { continue }
                if let source, s != source.rawValue { continue }
                let key = Key(asset: assets[i], source: s)
                var points = series.removeValue(forKey: key) ?? []
                for r in i..<end where times[r] >= lower && times[r] < upper && priceColumn?.isNull(r) != true {
                    points.append((times[r], prices[r]))
                }
                series[key] = points
            }
        }
        var candles: [Candle] = []
        for key in series.keys.sorted(by: { ($0.asset, $0.source) < ($1.asset, $1.source) }) {
            var points = series[key] ?? []
            points.sort { $0.0 < $1.0 }
            var current: Candle?
            var sum = 0.0
            for (t, p) in points {
                let start = interval.bucketStart(t)
                if var c = current, c.startMillis == start {
                    c.high = max(c.high, p); c.low = min(c.low, p); c.close = p; c.count += 1
                    sum += p
                    current = c
                } else {
                    if var c = current { c.mean = sum / Double(c.count); candles.append(c) }
                    current = Candle(asset: AssetID(key.asset), source: ProviderID(key.source), startMillis: start,
                                     open: p, high: p, low: p, close: p, mean: p, count: 1)
                    sum = p
                }
            }
            if var c = current { c.mean = sum / Double(c.count); candles.append(c) }
        }
        return candles
    }

    /// One asset's prices in `[fromMillis, toMillis)` from the wanted sources (all when nil),
    /// ordered by (source time, source): what consensus candles are made of, read as four
    /// columns instead of whole records.
    public func pricePoints(asset: AssetID, sources: Set<ProviderID>?, fromMillis: Int64, toMillis: Int64) async throws -> [PricePoint] {
        var points: [PricePoint] = []
        let files = candidateFiles(asset: asset, fromMillis: fromMillis, toMillis: toMillis).filter { file in
            guard let sources, let source = file.partitionValues["source"] ?? nil else { return true }
            return sources.contains(ProviderID(source))
        }
        let filter = RowGroupFilter.ticks(asset: asset.rawValue, fromMillis: fromMillis, toMillis: toMillis)
        try await read(files, columns: [.asset, .source, .sourceTime, .price, .volume24h], filter: filter) { batch in
            guard let assets = batch.strings(.asset), let times = batch.int64s(.sourceTime), let prices = batch.doubles(.price) else { return }
            let sourceColumn = batch.strings(.source)
            let priceColumn = batch.columns[TickColumn.price.rawValue]
            let volumeColumn = batch.columns[TickColumn.volume24h.rawValue]
            let volumes = batch.doubles(.volume24h)
            var i = 0
            while i < batch.count {
                let s = batch.sourceValue(at: i, sourceColumn)
                var end = i + 1
                while end < batch.count && assets[end] == assets[i] && (sourceColumn == nil || sourceColumn![end] == s) { end += 1 }
                defer { i = end }
                guard assets[i] == asset.rawValue else { continue }
                let source = ProviderID(s)
                if let sources, !sources.contains(source) { continue }
                for r in i..<end where times[r] >= fromMillis && times[r] < toMillis && priceColumn?.isNull(r) != true && prices[r].isFinite {
                    let volume = volumes.flatMap { volumeColumn?.isNull(r) == true ? nil : $0[r] }
                    points.append(PricePoint(timeMillis: times[r], source: source, price: prices[r], volume24h: volume))
                }
            }
        }
        points.sort { ($0.timeMillis, $0.source) < ($1.timeMillis, $1.source) }
        return points
    }

    /// The latest tick (by source time) per asset and source; with `sinceMillis`, only files
    /// and rows at or after it are considered (the dashboard passes a recent window so that
    /// the scan stays cheap on a long history).
    public func latest(sinceMillis: Int64? = nil) async throws -> [LakeRecord] {
        struct Key: Hashable { var asset: String; var source: String }
        var best: [Key: LakeRecord] = [:]
        let files = candidateFiles(fromMillis: sinceMillis)
        try await read(files, columns: TickColumn.allCases) { batch in
            guard let assets = batch.strings(.asset), let times = batch.int64s(.sourceTime) else { return }
            let sources = batch.strings(.source)
            let rows = batch.rows()
            for i in 0..<batch.count {
                if let sinceMillis, times[i] < sinceMillis { continue }
                let key = Key(asset: assets[i], source: batch.sourceValue(at: i, sources))
                if let current = best[key], current.tick.sourceTimeMillis >= times[i] { continue }
                best[key] = rows.record(at: i)
            }
        }
        return best.values.sorted {
            ($0.tick.asset.rawValue, $0.tick.source.rawValue) < ($1.tick.asset.rawValue, $1.tick.source.rawValue)
        }
    }

    /// Files, rows and bytes per partition, from the log only.
    public func partitions() -> [PartitionSummary] {
        var byPath: [String: PartitionSummary] = [:]
        let columns = delta.partitionColumns
        for file in delta.files {
            let path = columns.map { DeltaPath.hiveSegment(name: $0, value: file.partitionValues[$0] ?? nil) }
                .joined(separator: "/")
            var summary = byPath[path] ?? PartitionSummary(values: file.partitionValues, path: path, files: 0, rows: 0, bytes: 0)
            summary.files += 1
            summary.bytes += file.size
            summary.rows += max(0, file.parsedStatistics()?.numRecords ?? 0)
            byPath[path] = summary
        }
        return byPath.keys.sorted().compactMap { byPath[$0] }
    }

    /// An overview of this version.
    public func info() -> TableInfo {
        let parts = partitions()
        return TableInfo(
            version: delta.version, timestampMillis: delta.timestampMillis, layout: layout,
            partitionColumns: delta.partitionColumns, files: delta.activeFiles.count, partitions: parts.count,
            rows: parts.reduce(0) { $0 + $1.rows }, bytes: parts.reduce(0) { $0 + $1.bytes },
            transactions: delta.transactions.mapValues(\.version),
            protocolVersion: (delta.protocolAction.minReaderVersion, delta.protocolAction.minWriterVersion))
    }
}
