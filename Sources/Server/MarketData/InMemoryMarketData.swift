import CryptoVizCore

/// A complete `MarketDataSource` held in memory: ticks kept as immutable per-partition "files"
/// with a versioned file list, so history, candles, compaction, vacuum, retention and time
/// travel behave like the lake's, only without Parquet.
///
/// It backs tests and demo runs, and suits a HotTail-only deployment. Writes are deduplicated
/// by `Tick.eventID`, as the stream processor does.
public actor InMemoryMarketData: MarketDataSource {
    struct DataFile {
        var path: String
        var partition: PartitionValues
        var ticks: [Tick]
        var sizeBytes: Int64
        var createdMs: Int64
    }

    struct Version {
        var number: Int64
        var timestampMs: Int64
        var operation: String
        var files: Set<Int>
        var filesAdded: Int
        var filesRemoved: Int
        var recordsAdded: Int64?
    }

    /// Bytes charged per stored tick, an estimate of its compressed columnar size.
    static let bytesPerTick: Int64 = 48
    /// Bytes charged per file (footer, headers), so compaction visibly saves space.
    static let bytesPerFile: Int64 = 1024

    private var files: [Int: DataFile] = [:]
    private var nextFileID = 0
    private var versions: [Version] = [Version(number: 0, timestampMs: 0, operation: "CREATE TABLE", files: [], filesAdded: 0, filesRemoved: 0, recordsAdded: 0)]
    private var seen: Set<EventID> = []
    private var latest: [AssetID: [ProviderID: Tick]] = [:]
    private var ticksTotal: Int64 = 0
    private var arrivals: [(ms: Int64, count: Int)] = []
    private var freshness: [Int64] = []
    private var freshnessNext = 0
    private var startedMs: Int64
    private let location: String
    private let feed = LiveTickFeed()
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - location: shown as the table location in lake info.
    ///   - clock: Unix ms now; injectable so tests can pin retention cut-offs.
    public init(location: String = "memory://ticks", clock: @escaping @Sendable () -> Int64 = currentUnixMillis) {
        self.location = location
        self.now = clock
        self.startedMs = clock()
        self.versions[0].timestampMs = startedMs
    }

    // MARK: Writing

    /// Stores new ticks (duplicates by event id are dropped), commits one version with one file
    /// per partition touched, and publishes them on the live feed. Returns how many were new.
    @discardableResult
    public func append(_ incoming: [Tick]) -> Int {
        var fresh: [Tick] = []
        for tick in incoming where tick.price.isFinite && seen.insert(tick.eventID).inserted {
            fresh.append(tick)
        }
        guard !fresh.isEmpty else { return 0 }
        let timestamp = now()
        var current = versions[versions.count - 1].files
        let groups = Dictionary(grouping: fresh, by: \.partition)
        for (partition, ticks) in groups.sorted(by: { Self.partitionPath($0.key) < Self.partitionPath($1.key) }) {
            current.insert(addFile(partition: partition, ticks: ticks, createdMs: timestamp))
        }
        commit(operation: "WRITE", files: current, added: groups.count, removed: 0, records: Int64(fresh.count))
        for tick in fresh {
            if let old = latest[tick.asset]?[tick.source], old.sourceTimeMillis > tick.sourceTimeMillis { continue }
            latest[tick.asset, default: [:]][tick.source] = tick
        }
        ticksTotal += Int64(fresh.count)
        arrivals.append((timestamp, fresh.count))
        arrivals.removeAll { $0.ms < timestamp - 60_000 }
        for tick in fresh {
            let lag = max(0, tick.collectedTimeMillis - tick.sourceTimeMillis)
            if freshness.count < 1000 { freshness.append(lag) } else { freshness[freshnessNext] = lag }
            freshnessNext = (freshnessNext + 1) % 1000
        }
        feed.publish(fresh)
        return fresh.count
    }

    /// Ends all live subscriptions (call on shutdown so SSE responses finish).
    public nonisolated func closeLiveFeed() { feed.finishAll() }

    private func addFile(partition: PartitionValues, ticks: [Tick], createdMs: Int64) -> Int {
        let id = nextFileID
        nextFileID += 1
        let sorted = ticks.sorted { ($0.sourceTimeMillis, $0.source.rawValue) < ($1.sourceTimeMillis, $1.source.rawValue) }
        files[id] = DataFile(
            path: "\(Self.partitionPath(partition))/part-\(String(id, radix: 10)).parquet",
            partition: partition, ticks: sorted,
            sizeBytes: Self.bytesPerFile + Self.bytesPerTick * Int64(sorted.count), createdMs: createdMs)
        return id
    }

    private func commit(operation: String, files: Set<Int>, added: Int, removed: Int, records: Int64?) {
        versions.append(Version(
            number: Int64(versions.count), timestampMs: now(), operation: operation, files: files,
            filesAdded: added, filesRemoved: removed, recordsAdded: records))
    }

    static func partitionPath(_ p: PartitionValues) -> String {
        "date=\(p.date)/source=\(p.source.rawValue)/asset=\(p.asset.rawValue)"
    }

    private func fileIDs(asOf version: Int64?) throws -> Set<Int> {
        guard let version else { return versions[versions.count - 1].files }
        guard version >= 0, version < Int64(versions.count) else {
            throw MarketDataError(.notFound, "table version \(version) does not exist (latest is \(versions.count - 1))")
        }
        let ids = versions[Int(version)].files
        guard ids.allSatisfy({ files[$0] != nil }) else {
            throw MarketDataError(.notFound, "table version \(version) was vacuumed and can no longer be read")
        }
        return ids
    }

    private func scan(asset: AssetID, sources: Set<ProviderID>?, from: Int64, to: Int64, asOf: Int64?) throws -> [Tick] {
        var out: [Tick] = []
        for id in try fileIDs(asOf: asOf) {
            guard let file = files[id], file.partition.asset == asset,
                sources.map({ $0.contains(file.partition.source) }) ?? true,
                file.partition.date.startMillis < to, file.partition.date.startMillis + 86_400_000 > from
            else { continue }
            out.append(contentsOf: file.ticks.lazy.filter { $0.sourceTimeMillis >= from && $0.sourceTimeMillis < to })
        }
        return out
    }

    // MARK: MarketDataSource

    public func assets() -> [AssetDTO] {
        latest.keys.sorted().map { asset in
            let bySource = latest[asset] ?? [:]
            let newest = bySource.values.max { $0.sourceTimeMillis < $1.sourceTimeMillis }
            return AssetDTO(asset: asset, symbol: newest?.symbol ?? "", sources: bySource.keys.sorted())
        }
    }

    public func sources() -> [SourceDTO] {
        var bySource: [ProviderID: (assets: [AssetID], last: Int64)] = [:]
        for (asset, ticks) in latest {
            for (source, tick) in ticks {
                bySource[source, default: ([], Int64.min)].assets.append(asset)
                bySource[source]!.last = max(bySource[source]!.last, tick.sourceTimeMillis)
            }
        }
        return bySource.keys.sorted().map { source in
            let entry = bySource[source]!
            return SourceDTO(source: source, assets: entry.assets.sorted(), lastTickMs: entry.last)
        }
    }

    public func latestTicks(assets: Set<AssetID>?, sources: Set<ProviderID>?) -> [Tick] {
        latest.flatMap { asset, bySource -> [Tick] in
            guard assets.map({ $0.contains(asset) }) ?? true else { return [] }
            return bySource.values.filter { tick in sources.map { $0.contains(tick.source) } ?? true }
        }.sorted { ($0.asset, $0.source) < ($1.asset, $1.source) }
    }

    public func ticks(_ query: TickQuery) throws -> TickPage {
        var found = try scan(asset: query.asset, sources: query.sources, from: query.fromMillis, to: query.toMillis, asOf: query.asOfVersion)
        if let after = query.after { found.removeAll { TickCursor($0) <= after } }
        found.sort { TickCursor($0) < TickCursor($1) }
        let limit = max(0, query.limit)
        guard found.count > limit else { return TickPage(ticks: found, nextCursor: nil) }
        let page = Array(found.prefix(limit))
        return TickPage(ticks: page, nextCursor: page.last.map(TickCursor.init))
    }

    public func candles(_ query: CandleQuery) throws -> [CandleDTO] {
        let ticks = try scan(asset: query.asset, sources: query.sources, from: query.fromMillis, to: query.toMillis, asOf: query.asOfVersion)
        return MarketConsensus.candles(from: ticks, interval: query.interval)
    }

    public func pipelineStats() -> PipelineStatsDTO {
        let nowMs = now()
        let window = arrivals.filter { $0.ms >= nowMs - 60_000 }
        let span = Double(min(60_000, max(1_000, nowMs - startedMs))) / 1000
        let sortedFreshness = freshness.sorted()
        func percentile(_ p: Double) -> Double? {
            guard !sortedFreshness.isEmpty else { return nil }
            let index = Int((p * Double(sortedFreshness.count - 1)).rounded())
            return Double(sortedFreshness[index])
        }
        var perSource: [ProviderID: (count: Int64, last: Int64)] = [:]
        for id in versions[versions.count - 1].files {
            guard let file = files[id] else { continue }
            let lastCollected = file.ticks.map(\.collectedTimeMillis).max() ?? 0
            perSource[file.partition.source, default: (0, 0)].count += Int64(file.ticks.count)
            perSource[file.partition.source]!.last = max(perSource[file.partition.source]!.last, lastCollected)
        }
        return PipelineStatsDTO(
            generatedAtMs: nowMs,
            ingestRatePerSecond: Double(window.reduce(0) { $0 + $1.count }) / span,
            ticksTotal: ticksTotal,
            freshnessP50Ms: percentile(0.5),
            freshnessP95Ms: percentile(0.95),
            partitions: [],
            providers: perSource.keys.sorted().map { source in
                let entry = perSource[source]!
                return ProviderHealthDTO(
                    provider: source, status: nowMs - entry.last < 60_000 ? .healthy : .down,
                    requestsTotal: entry.count, errorsByKind: [], rateLimitWaits: 0,
                    lastSuccessMs: entry.last, lastError: nil)
            }
        )
    }

    public func lakeInfo() -> LakeInfoDTO {
        let current = versions[versions.count - 1]
        let live = current.files.compactMap { files[$0] }.sorted { $0.path < $1.path }
        let partitions = Dictionary(grouping: live) { Self.partitionPath($0.partition) }
            .sorted { $0.key < $1.key }
            .map { path, group in
                let p = group[0].partition
                return LakePartitionDTO(
                    path: path,
                    values: ["date": p.date.description, "source": p.source.rawValue, "asset": p.asset.rawValue],
                    fileCount: group.count, sizeBytes: group.reduce(0) { $0 + $1.sizeBytes },
                    recordCount: group.reduce(0) { $0 + Int64($1.ticks.count) })
            }
        return LakeInfoDTO(
            location: location, version: current.number, fileCount: live.count,
            sizeBytes: live.reduce(0) { $0 + $1.sizeBytes },
            recordCount: live.reduce(0) { $0 + Int64($1.ticks.count) },
            partitions: partitions,
            files: live.prefix(1000).map {
                LakeFileDTO(
                    path: $0.path, partition: Self.partitionPath($0.partition), sizeBytes: $0.sizeBytes,
                    recordCount: Int64($0.ticks.count), modificationTimeMs: $0.createdMs)
            },
            filesTruncated: live.count > 1000)
    }

    public func lakeVersions() -> [LakeVersionDTO] {
        versions.reversed().map {
            LakeVersionDTO(
                version: $0.number, timestampMs: $0.timestampMs, operation: $0.operation,
                filesAdded: $0.filesAdded, filesRemoved: $0.filesRemoved, recordsAdded: $0.recordsAdded)
        }
    }

    public func compact() -> CompactionResultDTO {
        let started = now()
        var current = versions[versions.count - 1].files
        let groups = Dictionary(grouping: current.filter { files[$0] != nil }) { files[$0]!.partition }
        var removed = 0, added = 0
        var before: Int64 = 0, after: Int64 = 0
        for (partition, ids) in groups where ids.count > 1 {
            let merged = ids.flatMap { files[$0]!.ticks }
            before += ids.reduce(0) { $0 + files[$1]!.sizeBytes }
            current.subtract(ids)
            let newID = addFile(partition: partition, ticks: merged, createdMs: started)
            current.insert(newID)
            after += files[newID]!.sizeBytes
            removed += ids.count
            added += 1
        }
        guard added > 0 else {
            return CompactionResultDTO(version: nil, filesRemoved: 0, filesAdded: 0, bytesBefore: 0, bytesAfter: 0, durationMs: now() - started)
        }
        commit(operation: "OPTIMIZE", files: current, added: added, removed: removed, records: 0)
        return CompactionResultDTO(
            version: versions[versions.count - 1].number, filesRemoved: removed, filesAdded: added,
            bytesBefore: before, bytesAfter: after, durationMs: now() - started)
    }

    public func vacuum(dryRun: Bool) -> VacuumResultDTO {
        let current = versions[versions.count - 1].files
        let unreferenced = files.keys.filter { !current.contains($0) }.sorted()
        let result = VacuumResultDTO(
            dryRun: dryRun, files: unreferenced.map { files[$0]!.path },
            bytes: unreferenced.reduce(0) { $0 + files[$1]!.sizeBytes })
        if !dryRun { for id in unreferenced { files[id] = nil } }
        return result
    }

    public func applyRetention(days: Int) -> RetentionResultDTO {
        let cutoff = now() - Int64(days) * 86_400_000
        var current = versions[versions.count - 1].files
        var removedFiles = 0
        var removedRecords: Int64 = 0
        for id in current.sorted() {
            guard let file = files[id], file.ticks.contains(where: { $0.sourceTimeMillis < cutoff }) else { continue }
            let kept = file.ticks.filter { $0.sourceTimeMillis >= cutoff }
            removedRecords += Int64(file.ticks.count - kept.count)
            current.remove(id)
            removedFiles += 1
            if !kept.isEmpty { current.insert(addFile(partition: file.partition, ticks: kept, createdMs: now())) }
        }
        guard removedFiles > 0 else {
            return RetentionResultDTO(days: days, cutoffMs: cutoff, version: nil, filesRemoved: 0, recordsRemoved: 0)
        }
        commit(operation: "DELETE", files: current, added: 0, removed: removedFiles, records: nil)
        return RetentionResultDTO(
            days: days, cutoffMs: cutoff, version: versions[versions.count - 1].number,
            filesRemoved: removedFiles, recordsRemoved: removedRecords)
    }

    public func executeSQL(_ statement: String, rowLimit: Int) throws -> SQLResultDTO {
        let started = now()
        let ticks = versions[versions.count - 1].files.compactMap { files[$0] }.flatMap(\.ticks)
        var result = try InMemorySQL.run(statement, over: ticks, rowLimit: rowLimit)
        result.elapsedMs = now() - started
        return result
    }

    public nonisolated func liveTicks() -> AsyncStream<Tick> { feed.subscribe() }
}
