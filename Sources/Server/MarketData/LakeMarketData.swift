import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline
import Synchronization

/// The production `MarketDataSource`: recent ticks from the `HotTail`, history from the Delta
/// table, merged without gaps or duplicates; management and time travel on the table; SQL
/// through DuckDB over the snapshot's files.
///
/// The tail is seeded from the lake at start (see `seedTail`), so recent history survives a
/// restart; a range is served from the lake up to where the tail's series begins, and from
/// the tail after, with ticks keyed by (source time, source) so an overlap cannot duplicate.
public final class LakeMarketData: MarketDataSource {
    public struct Configuration: Sendable {
        /// Shown by the API as the table's location (no credentials).
        public var location: String
        /// The lake's folder on local disk (holding `ticks/`, `candles/`), for DuckDB; nil for
        /// object stores DuckDB is not configured for (SQL is then refused with a clear message).
        public var localDirectory: String?
        /// Files younger than this survive vacuum (readers of older versions may still use them).
        public var vacuumRetention: Duration = .seconds(3600)
        /// At most this many versions are listed in the history.
        public var historyLimit: Int = 200
        public var duckdb: DuckDBEngine?
        /// The maintenance schedule of this process, when it maintains the lake (`up`).
        public var maintenance: (@Sendable () async -> MaintenanceDTO)?
        public init(location: String) { self.location = location }
    }

    let table: TickTable
    /// The lake's candles table, read for SQL and candles when it exists (another process may
    /// create it later: a backfill); the handle caches its snapshot between queries.
    private let candles: DeltaTable
    /// The lake's streamed trades table (the processor writes it), for SQL when it exists.
    private let trades: DeltaTable
    /// The lake's alert history table (`AlertHistoryExport` writes it), for SQL when it exists.
    private let alertHistory: DeltaTable
    /// The candles table's reader, opened once the table exists (see `candleTable()`).
    private let openedCandles = Mutex<CandleTable?>(nil)
    /// Asset and source lists of the lake's tables, cached per version.
    let catalog = LakeCatalog()
    private let store: any ObjectStore
    let tail: HotTail
    private let configuration: Configuration
    private let stats: @Sendable () async -> PipelineStatsDTO
    private let logger: Logger
    private let management = ManagementQueue()
    private let candleDays = CandleDayCache()

    public init(table: TickTable, store: any ObjectStore, tail: HotTail, configuration: Configuration,
                stats: @escaping @Sendable () async -> PipelineStatsDTO, logger: Logger) {
        self.table = table
        self.candles = DeltaTable(store: store, root: Lake.candlesRoot, logger: logger)
        self.trades = DeltaTable(store: store, root: Lake.tradesRoot, logger: logger)
        self.alertHistory = DeltaTable(store: store, root: Lake.alertsRoot, logger: logger)
        self.store = store
        self.tail = tail
        self.configuration = configuration
        self.stats = stats
        self.logger = logger
    }

    /// Loads the last `window` of the lake into the tail, so a restarted server shows recent
    /// history at once. Returns the ticks loaded.
    @discardableResult
    public static func seedTail(_ tail: HotTail, from table: TickTable, window: Duration, nowMillis: Int64 = currentUnixMillis()) async throws -> Int {
        let from = nowMillis - Int64(window.components.seconds) * 1000
        let records = try await table.ticks(fromMillis: from)
        for record in records { tail.insert(record.tick) }
        tail.markComplete(since: from)
        return records.count
    }

    /// The candles table, or nil while the lake has none (checked again on every call until
    /// one appears: a backfill may create it while the server runs).
    func candleTable() async throws -> CandleTable? {
        if let table = openedCandles.withLock({ $0 }) { return table }
        guard try await candles.exists() else { return nil }
        let table = try await CandleTable.open(store: store, root: Lake.candlesRoot, logger: logger)
        openedCandles.withLock { $0 = $0 ?? table }
        return table
    }

    /// Builds the asset and source lists once (for a long tick table, a read of four columns of
    /// every file), so the first dashboard request does not wait for it; a failure is only
    /// logged (requests build the lists themselves).
    public func warmCatalog() async {
        let started = ContinuousClock.now
        do {
            let series = try await lakeSeries()
            logger.info("lake catalog built", metadata: ["series": "\(series.count)", "duration_ms": "\((ContinuousClock.now - started).millis)"])
        } catch {
            logger.warning("lake catalog not built at start", metadata: ["error": "\(error)"])
        }
    }

    /// Every (source, asset) series of the lake's tick and candles tables (`LakeCatalog`).
    private func lakeSeries() async throws -> [LakeCatalog.Series] {
        let candleSnapshot = try await candleTable()?.snapshot()
        return try await catalog.series(ticks: try await table.snapshot(), candles: candleSnapshot)
    }

    /// Assets of the lake's tables merged with the tail's (a lake holding only old history
    /// lists every asset it holds); the symbol is the tail's newest, else the lake's.
    public func assets() async throws -> [AssetDTO] {
        var symbols: [AssetID: String] = [:]
        var sources: [AssetID: Set<ProviderID>] = [:]
        for tick in tail.latest() {
            symbols[tick.asset] = symbols[tick.asset] ?? tick.symbol
            sources[tick.asset, default: []].insert(tick.source)
        }
        var lakeSymbols: [AssetID: (symbol: String, time: Int64)] = [:]
        for series in try await lakeSeries() {
            sources[series.asset, default: []].insert(series.source)
            let time = series.lastTickMillis ?? .min
            if !series.symbol.isEmpty, lakeSymbols[series.asset].map({ $0.time < time }) ?? true {
                lakeSymbols[series.asset] = (series.symbol, time)
            }
        }
        return sources.keys.sorted().map {
            AssetDTO(asset: $0, symbol: symbols[$0] ?? lakeSymbols[$0]?.symbol ?? "", sources: sources[$0, default: []].sorted())
        }
    }

    /// The tail first (no lake read for an asset it holds), then the lake's cached lists.
    public func isKnown(_ asset: AssetID) async throws -> Bool {
        if tail.holds(asset: asset) { return true }
        return try await lakeSeries().contains { $0.asset == asset }
    }

    /// Sources of the lake's tables merged with the tail's; `lastTickMs` is the newest tick in
    /// either (nil for a source only the candles table holds).
    public func sources() async throws -> [SourceDTO] {
        var assets: [ProviderID: Set<AssetID>] = [:]
        var last: [ProviderID: Int64] = [:]
        for tick in tail.latest() {
            assets[tick.source, default: []].insert(tick.asset)
            last[tick.source] = max(last[tick.source] ?? .min, tick.sourceTimeMillis)
        }
        for series in try await lakeSeries() {
            assets[series.source, default: []].insert(series.asset)
            if let time = series.lastTickMillis { last[series.source] = max(last[series.source] ?? .min, time) }
        }
        return assets.keys.sorted().map { SourceDTO(source: $0, assets: assets[$0, default: []].sorted(), lastTickMs: last[$0]) }
    }

    /// The tail's newest tick per series; a series of the tick table the tail does not hold
    /// (older than its window: a lake served with `--bus none`, a source that stopped) adds
    /// the lake's newest tick, read once from the files of that tick's day (`LakeCatalog`).
    public func latestTicks(assets: Set<AssetID>?, sources: Set<ProviderID>?) async throws -> [Tick] {
        func wanted(_ asset: AssetID, _ source: ProviderID) -> Bool {
            (assets == nil || assets!.contains(asset)) && (sources == nil || sources!.contains(source))
        }
        let inTail = tail.latest()
        var out = inTail.filter { wanted($0.asset, $0.source) }
        let held = Set(inTail.map { LakeCatalog.SeriesKey(source: $0.source, asset: $0.asset) })
        // The last list built (no lake request on this hot path once one exists): a series
        // missing from the tail is older than its window, so a list a few versions old is fine.
        var known = catalog.lastBuilt()
        if known == nil { known = try await lakeSeries() }
        for series in known ?? [] where series.lastTickMillis != nil && wanted(series.asset, series.source)
            && !held.contains(LakeCatalog.SeriesKey(source: series.source, asset: series.asset)) {
            if let tick = try await catalog.newestTick(of: series, in: table) { out.append(tick) }
        }
        guard out.count > 1 else { return out }
        return out.sorted { ($0.asset, $0.source) < ($1.asset, $1.source) }
    }

    public func ticks(_ query: TickQuery) async throws -> TickPage {
        // A page needs only `limit + 1` ticks after the cursor: scan windows growing from the
        // cursor (or `from`) and stop once they hold that many, so paging through a year does
        // not re-read the whole year for every page. Windows are disjoint and ascending, so
        // their ordered results concatenate in order.
        var low = max(query.fromMillis, query.after?.sourceTimeMillis ?? .min)
        // Time travel replays the log per snapshot: read an old version in one window.
        var span: Int64 = query.asOfVersion == nil ? 3_600_000 : .max
        var merged: [Tick] = []
        while low < query.toMillis && merged.count <= query.limit {
            let (end, overflow) = low.addingReportingOverflow(span)
            let high = overflow ? query.toMillis : min(end, query.toMillis)
            var window = try await range(asset: query.asset, sources: query.sources, from: low, to: high,
                                         asOfVersion: query.asOfVersion)
            if let after = query.after { window.removeAll { TickCursor($0) <= after } }
            merged += window
            low = high
            span = span > 366 * 86_400_000 ? span : span * 4
        }
        let more = merged.count > query.limit
        if more { merged.removeLast(merged.count - query.limit) }
        return TickPage(ticks: merged, nextCursor: more ? merged.last.map(TickCursor.init) : nil)
    }

    /// From the candles table where it holds the asset (`tableCandles`, with its seam rule),
    /// else from ticks: whole lake-only days through the per-day cache, the rest directly.
    public func candles(_ query: CandleQuery) async throws -> [CandleDTO] {
        if let fromTable = try await tableCandles(query) { return fromTable }
        func direct(_ from: Int64, _ to: Int64) async throws -> [CandleDTO] {
            let ticks = try await range(asset: query.asset, sources: query.sources, from: from, to: to, asOfVersion: query.asOfVersion)
            return MarketConsensus.candles(from: ticks, interval: query.interval)
        }
        // Whole UTC days before the tail's window come from the lake alone: take them from the
        // per-day cache; the partial first day and the recent part are computed as before.
        let day: Int64 = 86_400_000
        guard query.asOfVersion == nil, query.fromMillis >= 0, query.fromMillis < query.toMillis, query.fromMillis <= .max - day else {
            return try await direct(query.fromMillis, query.toMillis)
        }
        let firstDay = (query.fromMillis + day - 1) / day * day
        let lakeOnlyEnd = min(query.toMillis, tailStart(asset: query.asset, sources: query.sources))
        let lastDay = max(firstDay, lakeOnlyEnd / day * day)
        guard lastDay - firstDay >= day else { return try await direct(query.fromMillis, query.toMillis) }
        let head = try await direct(query.fromMillis, firstDay)
        let middle = try await lakeDays(query, from: firstDay, to: lastDay)
        let rest = try await direct(lastDay, query.toMillis)
        return head + middle + rest
    }

    /// Candles of the whole days `[from, to)` (day-aligned) from the latest snapshot, per day
    /// from `candleDays` when the day's files are unchanged; missing days are read in one scan.
    private func lakeDays(_ query: CandleQuery, from: Int64, to: Int64) async throws -> [CandleDTO] {
        let day: Int64 = 86_400_000
        let snapshot = try await table.snapshot()
        var filesByDay: [Int64: [String]] = [:]
        for file in snapshot.candidateFiles(asset: query.asset, fromMillis: from, toMillis: to) {
            guard let text = file.partitionValues["date"] ?? nil, let date = CivilDate(iso: text) else {
                // Not the date-partitioned layout: no per-day identity, so no caching.
                return MarketConsensus.candles(from: try await lakePoints(snapshot, query, from: from, to: to), interval: query.interval)
            }
            filesByDay[date.startMillis, default: []].append(file.path)
        }
        let sourceNames = query.sources.map { $0.map(\.rawValue).sorted() }
        var keys: [Int64: CandleDayCache.Key] = [:]
        var byDay: [Int64: [CandleDTO]] = [:]
        var missing: [Int64] = []
        for (start, paths) in filesByDay where start >= from && start < to {
            let key = CandleDayCache.Key(asset: query.asset, sources: sourceNames, interval: query.interval, day: start, files: paths.sorted())
            keys[start] = key
            if let cached = candleDays.get(key) { byDay[start] = cached } else { missing.append(start) }
        }
        missing.sort()
        // Contiguous runs of missing days, each read with one scan.
        var index = 0
        while index < missing.count {
            var end = index
            while end + 1 < missing.count && missing[end + 1] == missing[end] + day { end += 1 }
            let points = try await lakePoints(snapshot, query, from: missing[index], to: missing[end] + day)
            let grouped = Dictionary(grouping: points) { CandleInterval.oneDay.bucketStart($0.timeMillis) }
            for start in missing[index...end] {
                let candles = MarketConsensus.candles(from: grouped[start] ?? [], interval: query.interval)
                byDay[start] = candles
                if let key = keys[start] { candleDays.put(key, candles) }
            }
            index = end + 1
        }
        return byDay.keys.sorted().flatMap { byDay[$0] ?? [] }
    }

    private func lakePoints(_ snapshot: TickSnapshot, _ query: CandleQuery, from: Int64, to: Int64) async throws -> [PricePoint] {
        try await snapshot.pricePoints(asset: query.asset, sources: query.sources, fromMillis: from, toMillis: to)
    }

    /// Where the tail's copy of `asset` starts: the latest first point of any wanted series
    /// (`.max` when the tail holds none). See `range`.
    private func tailStart(asset: AssetID, sources: Set<ProviderID>?) -> Int64 {
        tail.seriesStarts(asset: asset).filter { sources?.contains($0.key) ?? true }.values.max() ?? .max
    }

    /// Ticks of one asset in `[from, to)`, ordered by (source time, source).
    func range(asset: AssetID, sources: Set<ProviderID>?, from: Int64, to: Int64, asOfVersion: Int64?) async throws -> [Tick] {
        guard from < to else { return [] }
        if let version = asOfVersion {
            let snapshot = try await snapshot(version: version)
            do {
                return try await snapshot.ticks(asset: asset, fromMillis: from, toMillis: to)
                    .map(\.tick).filter { sources == nil || sources!.contains($0.source) }
            } catch let error as LakehouseError where error.code == .corruptDataFile {
                // An old version whose replaced files a vacuum has deleted: gone, not a server fault.
                throw MarketDataError(.notFound, "table version \(version) is no longer readable (its data files were vacuumed)")
            }
        }
        var byKey: [TickCursor: Tick] = [:]
        // The tail holds each series from that series' earliest point on; older history is the
        // lake's. Series start at different times (trimmed by point count, or a source that
        // joined later), so the lake is read up to the latest start of any wanted series: the
        // overlap is merged by key, and no series has a gap between lake and tail.
        let tailStart = self.tailStart(asset: asset, sources: sources)
        if from < tailStart {
            for record in try await table.ticks(asset: asset, fromMillis: from, toMillis: min(to, tailStart == .max ? to : tailStart + 1))
            where sources == nil || sources!.contains(record.tick.source) {
                byKey[TickCursor(record.tick)] = record.tick
            }
        }
        for tick in tail.ticks(asset: asset, source: nil, fromMillis: from, toMillis: to)
        where sources == nil || sources!.contains(tick.source) {
            byKey[TickCursor(tick)] = tick
        }
        return byKey.values.sorted { TickCursor($0) < TickCursor($1) }
    }

    private func snapshot(version: Int64) async throws -> TickSnapshot {
        do {
            return try await table.snapshot(version: version)
        } catch {
            throw MarketDataError(.notFound, "table version \(version) does not exist or is no longer readable")
        }
    }

    public func pipelineStats() async throws -> PipelineStatsDTO { await stats() }

    public func lakeInfo() async throws -> LakeInfoDTO {
        let snapshot = try await table.snapshot()
        let info = snapshot.info()
        let partitions = snapshot.partitions().map {
            LakePartitionDTO(path: $0.path, values: $0.values.compactMapValues { $0 }, fileCount: $0.files,
                             sizeBytes: $0.bytes, recordCount: $0.rows)
        }
        let files = snapshot.delta.files.sorted { $0.path < $1.path }
        let limit = 1_000
        let fileDTOs = files.prefix(limit).map { add in
            LakeFileDTO(path: add.relativeKey, partition: add.relativeKey.split(separator: "/").dropLast().joined(separator: "/"),
                        sizeBytes: add.size, recordCount: add.parsedStatistics()?.numRecords,
                        modificationTimeMs: add.modificationTime)
        }
        var dto = LakeInfoDTO(location: configuration.location, version: info.version, fileCount: info.files,
                              sizeBytes: info.bytes, recordCount: info.rows, partitions: partitions,
                              files: Array(fileDTOs), filesTruncated: files.count > limit)
        dto.maintenance = await configuration.maintenance?()
        return dto
    }

    public func lakeVersions() async throws -> [LakeVersionDTO] {
        let latest = try await table.snapshot().version
        var out: [LakeVersionDTO] = []
        var version = latest
        while version >= 0 && out.count < configuration.historyLimit {
            let key = table.delta.commitKey(version)
            guard let bytes = try? await store.get(key),
                let actions = try? DeltaAction.decodeCommit(bytes, version: version)
            else { break }  // older commits were cleaned up
            var added = 0, removed = 0
            var records: Int64 = 0
            var operation = "UNKNOWN"
            var timestamp: Int64 = 0
            for action in actions {
                switch action {
                case .add(let add):
                    added += 1
                    records += add.parsedStatistics()?.numRecords ?? 0
                case .remove: removed += 1
                case .commitInfo(let info):
                    if case .string(let op)? = info["operation"] { operation = op }
                    if case .int(let t)? = info["timestamp"] { timestamp = t }
                default: break
                }
            }
            out.append(LakeVersionDTO(version: version, timestampMs: timestamp, operation: operation,
                                      filesAdded: added, filesRemoved: removed, recordsAdded: records))
            version -= 1
        }
        return out
    }

    public func compact() async throws -> CompactionResultDTO {
        try await managed {
            let started = ContinuousClock.now
            let result = try await table.compact()
            // Sizes of the versions just before and at the OPTIMIZE commit: appends committed
            // meanwhile by the pipeline must not count as compaction gains or losses.
            let current = try await table.snapshot().info().bytes
            var before = current, after = current
            if let version = result.version {
                after = try await table.snapshot(version: version).info().bytes
                before = try await table.snapshot(version: version - 1).info().bytes
            }
            return CompactionResultDTO(version: result.version, filesRemoved: result.filesRemoved, filesAdded: result.filesAdded,
                                       bytesBefore: before, bytesAfter: after, durationMs: (ContinuousClock.now - started).millis)
        }
    }

    public func vacuum(dryRun: Bool) async throws -> VacuumResultDTO {
        try await managed {
            let retention = configuration.vacuumRetention.millis
            let keys = try await table.vacuum(retentionMillis: retention, dryRun: dryRun)
            var bytes: Int64 = 0
            if dryRun {
                for key in keys { bytes += Int64((try? await store.head(key))?.size ?? 0) }
            }
            return VacuumResultDTO(dryRun: dryRun, files: keys.map(\.rawValue), bytes: bytes)
        }
    }

    public func applyRetention(days: Int) async throws -> RetentionResultDTO {
        try await managed {
            let now = currentUnixMillis()
            let cutoff = CivilDate(unixMillis: now).startMillis - Int64(days) * 86_400_000
            guard let version = try await table.dropPartitions(olderThanDays: days, nowMillis: now) else {
                return RetentionResultDTO(days: days, cutoffMs: cutoff, version: nil, filesRemoved: 0, recordsRemoved: 0)
            }
            // The DELETE commit against its parent, not the latest version: the pipeline may
            // have appended in between, which must not be subtracted from what was removed.
            let after = try await table.snapshot(version: version)
            let before = try await table.snapshot(version: version - 1)
            let removed = Set(before.delta.files.map(\.path)).subtracting(after.delta.files.map(\.path))
            let records = before.delta.files.filter { removed.contains($0.path) }
                .reduce(Int64(0)) { $0 + max(0, $1.parsedStatistics()?.numRecords ?? 0) }
            return RetentionResultDTO(days: days, cutoffMs: cutoff, version: version, filesRemoved: removed.count,
                                      recordsRemoved: records)
        }
    }

    /// Runs one management action after any other in flight (see `ManagementQueue`); a commit
    /// lost to a concurrent writer outside this server becomes a 409 the client may retry.
    private func managed<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await management.run(body)
        } catch let error as LakehouseError where error.code == .concurrentModification || error.code == .commitRetriesExhausted {
            throw MarketDataError(.conflict, "the lake table changed during the action; retry it")
        }
    }

    public func executeSQL(_ statement: String, rowLimit: Int) async throws -> SQLResultDTO {
        guard let engine = configuration.duckdb else {
            throw MarketDataError(.unavailable, "SQL needs the DuckDB CLI: install it (scripts/up.sh does) or set CRYPTOVIZ_DUCKDB")
        }
        guard let directory = configuration.localDirectory else {
            throw MarketDataError(.unsupported, "SQL over an object-store lake is not configured; use DuckDB's delta_scan directly")
        }
        let snapshot = try await table.snapshot()
        let root = directory.hasSuffix("/") ? directory : directory + "/"
        let files = snapshot.delta.files.map { root + table.delta.root + $0.relativeKey }
        return try await engine.query(statement, files: files, candleFiles: try await Self.files(of: candles, under: root),
                                      tradeFiles: try await Self.files(of: trades, under: root),
                                      alertFiles: try await Self.files(of: alertHistory, under: root),
                                      allowedDirectory: root, rowLimit: rowLimit)
    }

    /// The data files of `table`'s latest version as paths under the lake folder `root`; nil
    /// while the lake has no such table (another process may create it later).
    private static func files(of table: DeltaTable, under root: String) async throws -> [String]? {
        do {
            return try await table.latestSnapshot().files.map { root + table.root + $0.relativeKey }
        } catch let error as LakehouseError where error.code == .tableNotFound {
            return nil
        }
    }

    public func liveTicks() -> AsyncStream<Tick> { tail.subscribe() }
}

extension Duration {
    /// Whole milliseconds.
    var millis: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
