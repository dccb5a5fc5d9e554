import CryptoVizCore

/// One bar of the width a reader asked for, aggregated from the table's stored bars.
public struct CandleBar: Sendable, Hashable {
    /// Bucket start, Unix ms UTC (inclusive).
    public var openTimeMillis: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Sum of the stored bars' base volumes; nil when none of them has one.
    public var baseVolume: Double?
    /// Sum of the stored bars' quote volumes; nil when none of them has one.
    public var quoteVolume: Double?
    /// How many stored bars (after the read rule) it aggregates.
    public var barCount: Int
    /// True when every stored bar it aggregates is final.
    public var isFinal: Bool

    public init(openTimeMillis: Int64, open: Double, high: Double, low: Double, close: Double,
                baseVolume: Double?, quoteVolume: Double?, barCount: Int, isFinal: Bool) {
        self.openTimeMillis = openTimeMillis
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.baseVolume = baseVolume
        self.quoteVolume = quoteVolume
        self.barCount = barCount
        self.isFinal = isFinal
    }
}

extension RowGroupFilter {
    /// Bars of one asset (or all) and one interval in an open-time range.
    static func candles(asset: AssetID?, interval: CandleInterval, fromMillis: Int64?, toMillis: Int64?) -> RowGroupFilter {
        var equal = [Equal(column: CandleColumn.interval.rawValue, value: interval.rawValue)]
        if let asset { equal.append(Equal(column: CandleColumn.asset.rawValue, value: asset.rawValue)) }
        return RowGroupFilter(equal: equal, timeColumn: CandleColumn.openTime.rawValue, fromMillis: fromMillis, toMillis: toMillis,
                              narrowsRows: true)
    }
}

extension CandleSnapshot {
    /// Bars of `interval` for one asset over `[fromMillis, toMillis)`, aggregated from the stored
    /// bars of `stored` (a width that divides `interval`, e.g. 1-minute bars into hours),
    /// across `sources` (all when nil): open of the earliest stored bar, close of the latest
    /// (ties between sources broken by source name), highest high, lowest low, summed volumes.
    /// The read rule applies first: one stored bar per (source, open time), the final one if
    /// any (latest ingested), else the latest ingested.
    ///
    /// Columnar: only the asset's row groups are decoded, nine columns, and no record is built;
    /// buckets are a dense array over the range, so rows need no sort unless a source's rows
    /// come back out of order or repeated (overlapping files), when that source alone is sorted.
    public func bars(asset: AssetID, sources: Set<ProviderID>? = nil, stored: CandleInterval, interval: CandleInterval,
                     fromMillis: Int64, toMillis: Int64) async throws -> [CandleBar] {
        try await barScan(asset: asset, sources: sources, stored: stored, interval: interval,
                          fromMillis: fromMillis, toMillis: toMillis, upToNewestFinal: false).bars
    }

    /// `bars`, and per source the end (open time + width) of its newest final stored bar in
    /// the range. With `upToNewestFinal`, each source's stored bars after its newest final one
    /// (still-open bars) are left out, and a source without a final bar gives none: the seam
    /// where a reader switches from the table to ticks.
    public func barScan(asset: AssetID, sources: Set<ProviderID>? = nil, stored: CandleInterval, interval: CandleInterval,
                        fromMillis: Int64, toMillis: Int64, upToNewestFinal: Bool) async throws -> CandleBarScan {
        guard interval.millis % stored.millis == 0 else {
            throw LakehouseError(.invalidArgument, "\(stored.rawValue) bars do not add up to \(interval.rawValue) bars")
        }
        // Years 1 to 9999: every bucket start and end below fits in Int64.
        guard fromMillis >= -62_135_596_800_000, toMillis <= 253_402_300_800_000 else {
            throw LakehouseError(.invalidArgument, "bar ranges must lie between the years 1 and 9999")
        }
        guard fromMillis < toMillis else { return CandleBarScan(bars: [], newestFinalEnd: [:]) }
        // One accumulator per bucket: bound the range (10 years of minutes) rather than the memory.
        guard (toMillis - interval.bucketStart(fromMillis)) / interval.millis < 5_300_000 else {
            throw LakehouseError(.invalidArgument, "a range of more than 5 300 000 \(interval.rawValue) bars was asked for")
        }
        let single = sources.flatMap { $0.count == 1 ? $0.first : nil }
        let files = candidateFiles(asset: asset, source: single, interval: stored, fromMillis: fromMillis, toMillis: toMillis)
            .filter { file in
                guard let sources, let name = file.partitionValues["source"] ?? nil else { return true }
                return sources.contains(ProviderID(name))
            }
        // A string column the file's statistics show to hold one value and no null (interval and
        // origin, nearly always) is not decoded: that value stands for every row.
        let constants = files.map { file -> (interval: String?, origin: String?) in
            let stats = file.parsedStatistics()
            func only(_ column: CandleColumn) -> String? {
                guard let range = stats?.stringRange(column.rawValue), range.lowerBound == range.upperBound,
                      stats?.nullCount[column.rawValue] == .int(0) else { return nil }
                return range.lowerBound
            }
            return (only(.interval), only(.origin))
        }
        let base = [CandleColumn.source, .asset, .openTime, .open, .high, .low, .close,
                    .baseVolume, .quoteVolume, .isFinal, .ingestTime]
        let columnsOf = constants.map { constant in
            (base + (constant.interval == nil ? [.interval] : []) + (constant.origin == nil ? [.origin] : [])).map(\.rawValue)
        }
        var bySource: [String: StoredBars] = [:]
        let filter = RowGroupFilter.candles(asset: asset, interval: stored, fromMillis: fromMillis, toMillis: toMillis)
        // Timestamps stay in the file's unit: only the rows kept are converted to ms.
        try await read(files, columnsOf: columnsOf, filter: filter, rawTimes: true) { index, batch in
            let intervals = batch.strings(.interval)
            let constantInterval = constants[index].interval
            // The interval column was left out only where it holds `stored` alone (other files are pruned).
            guard intervals != nil || constantInterval == stored.rawValue else { return }
            let constantRank = CandleOrigin.tieRank(raw: constants[index].origin)
            guard let assets = batch.strings(.asset),
                  let openTimes = batch.int64s(.openTime),
                  let open = batch.doubles(.open), let high = batch.doubles(.high),
                  let low = batch.doubles(.low), let close = batch.doubles(.close) else { return }
            let sourceColumn = batch.strings(.source)
            let partitionSource = batch.partition["source"] ?? nil
            let base = batch.columns[CandleColumn.baseVolume.rawValue]
            let quote = batch.columns[CandleColumn.quoteVolume.rawValue]
            let baseValues = batch.doubles(.baseVolume), quoteValues = batch.doubles(.quoteVolume)
            let finals: [Bool]? = if case .boolean(let v)? = batch.columns[CandleColumn.isFinal.rawValue]?.values { v } else { nil }
            let ingests = batch.int64s(.ingestTime)
            let origins = batch.strings(.origin)
            // A null price reads as NaN, so the bar the read rule picks is skipped, not zero.
            let ohlc = [CandleColumn.open, .high, .low, .close].map { batch.columns[$0.rawValue] }
            let anyNull = ohlc.contains { $0?.validity != nil }
            let assetName = asset.rawValue, intervalName = stored.rawValue
            // One dictionary access per batch when the source is the partition's (always, for
            // CryptoViz tables), not one per row.
            var current: (name: String, rows: StoredBars)?
            defer { if let current { bySource[current.name] = current.rows } }
            let timeScale = batch.timeScales[CandleColumn.openTime.rawValue] ?? 1
            let ingestScale = batch.timeScales[CandleColumn.ingestTime.rawValue] ?? 1
            // [fromMillis, toMillis) in the file's unit (saturated: bounds are years 1-9999).
            func scaled(_ millis: Int64) -> Int64 {
                let (v, overflow) = millis.multipliedReportingOverflow(by: timeScale)
                return overflow ? (millis < 0 ? .min : .max) : v
            }
            let lower = scaled(fromMillis), upper = scaled(toMillis)
            for i in 0..<batch.count {
                let raw = openTimes[i]
                guard raw >= lower, raw < upper, assets[i] == assetName else { continue }
                let t = timeScale == 1 ? raw : raw.floorDivided(by: timeScale)
                if let intervals, intervals[i] != intervalName { continue }
                let name = partitionSource ?? sourceColumn?[i] ?? ""
                if current?.name != name {
                    if let sources, !sources.contains(ProviderID(name)) { continue }
                    if let done = current { bySource[done.name] = done.rows }
                    current = (name, bySource.removeValue(forKey: name) ?? StoredBars())
                }
                let null = anyNull && ohlc.contains { $0?.isNull(i) == true }
                current!.rows.append(
                    time: t, open: null ? .nan : open[i], high: null ? .nan : high[i], low: null ? .nan : low[i],
                    close: null ? .nan : close[i],
                    base: base?.isNull(i) == false ? baseValues?[i] : nil,
                    quote: quote?.isNull(i) == false ? quoteValues?[i] : nil,
                    isFinal: finals?[i] ?? false, ingest: ingests.map { $0[i].floorDivided(by: ingestScale) } ?? 0,
                    tieRank: origins.map { CandleOrigin.tieRank(raw: $0[i]) } ?? constantRank)
            }
        }
        // Buckets over the open times found, not the range asked: an empty or sparse answer
        // allocates next to nothing.
        let found = bySource.values.compactMap { rows in rows.time.min().map { $0...rows.time.max()! } }
        guard let earliest = found.map(\.lowerBound).min(), let latest = found.map(\.upperBound).max() else {
            return CandleBarScan(bars: [], newestFinalEnd: [:])
        }
        let firstBucket = interval.bucketStart(earliest)
        var buckets = BarBuckets(first: firstBucket, width: interval.millis,
                                 count: Int((latest - firstBucket) / interval.millis) + 1)
        // Sources in name order, so a tie on open time goes to the earlier name for the open
        // and to the later name for the close, whatever order the files came in.
        var newestFinalEnd: [ProviderID: Int64] = [:]
        for (rank, name) in bySource.keys.sorted().enumerated() {
            let rows = bySource[name]!
            let order = rows.readOrder()
            let newestFinal = order.last { rows.isFinal[$0] }.map { rows.time[$0] }
            if let newestFinal { newestFinalEnd[ProviderID(name)] = newestFinal + stored.millis }
            for i in order {
                if upToNewestFinal, rows.time[i] > newestFinal ?? .min { break }
                buckets.add(rows, i, rank: rank)
            }
        }
        return CandleBarScan(bars: buckets.bars(), newestFinalEnd: newestFinalEnd)
    }
}

/// What `CandleSnapshot.barScan` found.
public struct CandleBarScan: Sendable {
    /// The aggregated bars, by open time.
    public var bars: [CandleBar]
    /// Per source with a final stored bar in the range: that bar's end, Unix ms (exclusive).
    public var newestFinalEnd: [ProviderID: Int64]
}

/// Stored bars of one source, column by column, in the order the scan met them.
private struct StoredBars {
    var time: [Int64] = []
    var open: [Double] = []
    var high: [Double] = []
    var low: [Double] = []
    var close: [Double] = []
    var base: [Double?] = []
    var quote: [Double?] = []
    var isFinal: [Bool] = []
    var ingest: [Int64] = []
    var tieRank: [Int8] = []
    /// Whether open times so far strictly increase (no repeat, no disorder).
    var increasing = true

    mutating func append(time t: Int64, open o: Double, high h: Double, low l: Double, close c: Double,
                         base b: Double?, quote q: Double?, isFinal f: Bool, ingest n: Int64, tieRank r: Int) {
        if let last = time.last, t <= last { increasing = false }
        time.append(t); open.append(o); high.append(h); low.append(l); close.append(c)
        base.append(b); quote.append(q); isFinal.append(f); ingest.append(n); tieRank.append(Int8(truncatingIfNeeded: r))
    }

    /// Row indices to aggregate: every row when open times strictly increase; else, per open
    /// time, the row the read rule picks (final beats open, then the later ingest, then the
    /// higher `CandleOrigin.tieRank`, as `CandleSnapshot.candles`), in time order.
    func readOrder() -> [Int] {
        if increasing { return Array(time.indices) }
        let sorted = time.indices.sorted {
            (time[$0], isFinal[$0] ? 1 : 0, ingest[$0], tieRank[$0]) < (time[$1], isFinal[$1] ? 1 : 0, ingest[$1], tieRank[$1])
        }
        var picked: [Int] = []
        picked.reserveCapacity(sorted.count)
        for (k, i) in sorted.enumerated() where k + 1 == sorted.count || time[sorted[k + 1]] != time[i] {
            picked.append(i)
        }
        return picked
    }
}

/// One accumulator per output bucket over the whole range, indexed by arithmetic.
private struct BarBuckets {
    let first: Int64
    let width: Int64
    private var slots: [CandleBar?]
    /// Per bucket, (open time, source rank) of the bar its open and close came from.
    private var openKey: [(Int64, Int)]
    private var closeKey: [(Int64, Int)]

    init(first: Int64, width: Int64, count: Int) {
        self.first = first
        self.width = width
        slots = Array(repeating: nil, count: max(0, count))
        openKey = Array(repeating: (.max, .max), count: max(0, count))
        closeKey = Array(repeating: (.min, .min), count: max(0, count))
    }

    mutating func add(_ rows: StoredBars, _ i: Int, rank: Int) {
        guard rows.open[i].isFinite, rows.high[i].isFinite, rows.low[i].isFinite, rows.close[i].isFinite else { return }
        let t = rows.time[i]
        let b = Int((t - first) / width)
        let key = (t, rank)
        guard var bar = slots[b] else {
            slots[b] = CandleBar(openTimeMillis: first + Int64(b) * width, open: rows.open[i], high: rows.high[i],
                                low: rows.low[i], close: rows.close[i], baseVolume: rows.base[i], quoteVolume: rows.quote[i],
                                barCount: 1, isFinal: rows.isFinal[i])
            openKey[b] = key
            closeKey[b] = key
            return
        }
        if key < openKey[b] { bar.open = rows.open[i]; openKey[b] = key }
        if key > closeKey[b] { bar.close = rows.close[i]; closeKey[b] = key }
        bar.high = max(bar.high, rows.high[i])
        bar.low = min(bar.low, rows.low[i])
        if let v = rows.base[i] { bar.baseVolume = (bar.baseVolume ?? 0) + v }
        if let v = rows.quote[i] { bar.quoteVolume = (bar.quoteVolume ?? 0) + v }
        bar.barCount += 1
        bar.isFinal = bar.isFinal && rows.isFinal[i]
        slots[b] = bar
    }

    func bars() -> [CandleBar] { slots.compactMap { $0 } }
}
