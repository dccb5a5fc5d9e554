import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// The lake's tick table: a Delta table of `LakeRecord`s, partitioned per `TableLayout`,
/// written with exactly-once stream transactions and read with pruned scans.
///
/// Any number of `TickTable` instances (in one or many processes) may write the same table:
/// appends never conflict, and compaction aborts cleanly if a concurrent commit removed the
/// files it rewrote. Exactly-once: commit data together with `transactions` (stream id →
/// last offset); after a restart read `transactionVersion(appId:)` and skip what it covers.
public actor TickTable {
    /// The Delta machinery underneath (log, commits, vacuum).
    public nonisolated let delta: DeltaTable
    /// The layout the table was created with (nil for a table with other partitioning,
    /// which can be read but not written).
    public nonisolated let layout: TableLayout?
    let logger: Logger

    private init(delta: DeltaTable, layout: TableLayout?, logger: Logger) {
        self.delta = delta
        self.layout = layout
        self.logger = logger
    }

    /// Opens the table at `root` in `store`, creating it with `layout` if there is none.
    /// An existing table keeps the layout it was created with.
    public static func open(store: any ObjectStore, root: String = "", layout: TableLayout = .default,
                            logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> TickTable {
        let (delta, snapshot) = try await DeltaTable.openOrCreate(
            store: store, root: root, schema: TickColumn.deltaSchema(layout), partitionColumns: layout.partitionColumns,
            name: "ticks", logger: logger)
        return TickTable(delta: delta, layout: TableLayout(partitionColumns: snapshot.partitionColumns), logger: logger)
    }

    /// Opens an existing table without creating one (for readers and tools).
    public static func openExisting(store: any ObjectStore, root: String = "",
                                    logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> TickTable {
        let delta = DeltaTable(store: store, root: root, logger: logger)
        let snapshot = try await delta.latestSnapshot()
        return TickTable(delta: delta, layout: TableLayout(partitionColumns: snapshot.partitionColumns), logger: logger)
    }

    // MARK: - Snapshots

    /// The latest version.
    public func snapshot() async throws -> TickSnapshot {
        TickSnapshot(delta: try await delta.latestSnapshot(), table: delta)
    }

    /// The table as of `version` (time travel).
    public func snapshot(version: Int64) async throws -> TickSnapshot {
        TickSnapshot(delta: try await delta.snapshot(version: version), table: delta)
    }

    /// The table as of the latest version committed at or before `asOfMillis`.
    public func snapshot(asOfMillis: Int64) async throws -> TickSnapshot {
        TickSnapshot(delta: try await delta.snapshot(asOfMillis: asOfMillis), table: delta)
    }

    /// The last offset committed by stream `appId` (e.g. "group/topic/partition"), or nil.
    public func transactionVersion(appId: String) async throws -> Int64? {
        try await delta.latestSnapshot().transactionVersion(appId)
    }

    // MARK: - Writing

    /// Writes the records and commits them with the stream transactions in one version;
    /// returns that version. With no records, commits the transactions alone (or, with
    /// nothing at all, returns the current version without committing).
    ///
    /// Throws `.concurrentModification` if another writer committed a transaction for one of
    /// the same streams meanwhile; the written files are then orphans for `vacuum`.
    @discardableResult
    public func append(_ records: [LakeRecord], transactions: [String: Int64] = [:]) async throws -> Int64 {
        let readVersion = try await delta.latestSnapshot().version
        if records.isEmpty && transactions.isEmpty { return readVersion }
        let files = try await writeFiles(records)
        return try await commit(files: files, transactions: transactions, readVersion: readVersion)
    }

    /// Phase one of an append: writes data files (sorted by asset then time, one per
    /// partition) without committing them. Invisible to readers until `commit`.
    public func writeFiles(_ records: [LakeRecord], dataChange: Bool = true) async throws -> [AddFile] {
        guard let layout else {
            throw LakehouseError(.invalidArgument, "table partitioning \(try await delta.latestSnapshot().partitionColumns) is not a CryptoViz layout; writes are refused")
        }
        // Row numbers grouped by a cheap key first; the folder path is built once per group, not
        // per row, and each row is copied once, into its file's sorted order.
        var byKey: [TableLayout.PartitionKey: [Int]] = [:]
        var lastKey: TableLayout.PartitionKey?
        var lastRows: [Int] = []
        for (row, record) in records.enumerated() {
            // A batch is mostly one partition (one day): runs skip the dictionary.
            let key = layout.partitionKey(of: record.tick)
            if key != lastKey {
                if let lastKey { byKey[lastKey, default: []].append(contentsOf: lastRows) }
                lastKey = key
                lastRows.removeAll(keepingCapacity: true)
            }
            lastRows.append(row)
        }
        if let lastKey { byKey[lastKey, default: []].append(contentsOf: lastRows) }
        var groups: [String: (values: [String: String?], rows: [Int])] = [:]
        for group in byKey.values {
            let values = layout.partitionValues(of: records[group[0]].tick)
            let path = layout.partitionColumns.map { DeltaPath.hiveSegment(name: $0, value: values[$0] ?? nil) }
                .joined(separator: "/")
            groups[path, default: (values, [])].rows.append(contentsOf: group)
        }
        let columns = TickColumn.dataColumns(partitionColumns: layout.partitionColumns)
        return try await withThrowingTaskGroup(of: AddFile.self) { group in
            var adds: [AddFile] = []
            var running = 0
            for (folder, group0) in groups.sorted(by: { $0.key < $1.key }) {
                if running >= 4, let add = try await group.next() { adds.append(add); running -= 1 }
                running += 1
                group.addTask {
                    let sorted = Self.sortedByAssetAndTime(records, rows: group0.rows)
                    return try await self.writeFile(sorted, folder: folder, partitionValues: group0.values,
                                                    columns: columns, dataChange: dataChange)
                }
            }
            for try await add in group { adds.append(add) }
            return adds.sorted { $0.path < $1.path }
        }
    }

    /// Writes one data file of `records` (already sorted) into the partition folder `folder`
    /// ("" for an unpartitioned table), holding `columns`; returns its uncommitted `add`.
    nonisolated func writeFile(_ records: [LakeRecord], folder: String, partitionValues: [String: String?],
                               columns: [TickColumn], dataChange: Bool) async throws -> AddFile {
        let (bytes, stats) = try TickFileCodec.encode(records, columns: columns)
        return try await delta.putDataFile(bytes, stats: stats, folder: folder, partitionValues: partitionValues, dataChange: dataChange)
    }

    /// The rows `rows` of `records`, sorted by asset (byte order, as Parquet statistics compare)
    /// then source time. Each asset is looked up once per row (numbered in order of appearance,
    /// then the numbers mapped to ranks), and the sort moves integers, not records.
    static func sortedByAssetAndTime(_ records: [LakeRecord], rows: [Int]) -> [LakeRecord] {
        var number: [AssetID: Int] = [:]
        var assets: [AssetID] = []
        var keys: [(asset: Int, time: Int64, row: Int)] = []
        keys.reserveCapacity(rows.count)
        for row in rows {
            let asset = records[row].tick.asset
            let n: Int
            if let known = number[asset] {
                n = known
            } else {
                n = assets.count
                number[asset] = n
                assets.append(asset)
            }
            keys.append((n, records[row].tick.sourceTimeMillis, row))
        }
        var rank = [Int](repeating: 0, count: assets.count)
        for (r, n) in assets.indices.sorted(by: { assets[$0].rawValue.utf8.lexicographicallyPrecedes(assets[$1].rawValue.utf8) }).enumerated() {
            rank[n] = r
        }
        for i in keys.indices { keys[i].asset = rank[keys[i].asset] }
        keys.sort { ($0.asset, $0.time, $0.row) < ($1.asset, $1.time, $1.row) }
        return keys.map { records[$0.row] }
    }

    /// Phase two of an append: commits written files and stream transactions atomically.
    @discardableResult
    public func commit(files: [AddFile], transactions: [String: Int64], readVersion: Int64? = nil) async throws -> Int64 {
        let base: Int64
        if let readVersion { base = readVersion } else { base = try await delta.latestSnapshot().version }
        let version = try await delta.commitAppend(files, transactions: transactions, readVersion: base)
        logger.debug("appended", metadata: ["version": "\(version)", "files": "\(files.count)"])
        return version
    }

    // MARK: - Scans of the latest version

    /// `TickSnapshot.ticks` on the latest version.
    public func ticks(asset: AssetID? = nil, source: ProviderID? = nil, fromMillis: Int64? = nil,
                      toMillis: Int64? = nil, limit: Int? = nil) async throws -> [LakeRecord] {
        try await snapshot().ticks(asset: asset, source: source, fromMillis: fromMillis, toMillis: toMillis, limit: limit)
    }

    /// `TickSnapshot.candles` on the latest version.
    public func candles(asset: AssetID? = nil, source: ProviderID? = nil, interval: CandleInterval,
                        fromMillis: Int64? = nil, toMillis: Int64? = nil) async throws -> [Candle] {
        try await snapshot().candles(asset: asset, source: source, interval: interval, fromMillis: fromMillis, toMillis: toMillis)
    }

    /// `TickSnapshot.latest` on the latest version.
    public func latest(sinceMillis: Int64? = nil) async throws -> [LakeRecord] {
        try await snapshot().latest(sinceMillis: sinceMillis)
    }

    /// `TickSnapshot.partitions` on the latest version.
    public func partitions() async throws -> [PartitionSummary] {
        try await snapshot().partitions()
    }

    /// `TickSnapshot.info` on the latest version.
    public func info() async throws -> TableInfo {
        try await snapshot().info()
    }

    // MARK: - Maintenance

    /// Deletes files no longer referenced by any version within `retentionMillis` (default
    /// 7 days, Delta's default) and older than it; returns the keys (only lists them with
    /// `dryRun`). Time travel to versions older than the retention may fail afterwards.
    public func vacuum(retentionMillis: Int64 = 7 * 86_400_000, dryRun: Bool = false) async throws -> [ObjectKey] {
        try await delta.vacuum(retentionMillis: retentionMillis, dryRun: dryRun)
    }

    /// Removes (logically, with `remove` actions) every partition whose date is more than
    /// `olderThanDays` days before the date of `nowMillis`; returns the version, or nil when
    /// nothing was old enough. The files go away physically at the next vacuum.
    @discardableResult
    public func dropPartitions(olderThanDays days: Int, nowMillis: Int64? = nil) async throws -> Int64? {
        let today = CivilDate(unixMillis: nowMillis ?? currentMillis())
        let cutoff = CivilDate(daysSinceEpoch: today.daysSinceEpoch - days)
        let snapshot = try await delta.latestSnapshot()
        let now = currentMillis()
        let old = snapshot.files.filter { partitionDate($0.partitionValues).map { $0 < cutoff } ?? false }
        if old.isEmpty { return nil }
        return try await delta.commit(.init(
            actions: old.map { .remove(RemoveFile(removing: $0, at: now, dataChange: true)) },
            operation: "DELETE", parameters: ["predicate": .string("date < '\(cutoff)'")],
            readVersion: snapshot.version))
    }
}
