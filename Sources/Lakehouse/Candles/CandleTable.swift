import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// The lake's candles table: OHLCV bars (`CandleRecord`) from provider history (backfill),
/// the processor's rollups and venue kline streams, in a Delta table partitioned by `date`
/// (UTC date of the bar's open time) and `source`, rows sorted by asset, interval and open
/// time in each file.
///
/// A bar may be written several times (a rollup's still-open bar rewritten as it grows, then
/// its final version); the table keeps every row and scans apply the read rule
/// (`CandleSnapshot`): one row per (source, asset, interval, open time), the final one if
/// any, else the latest ingested. Exactly-once like `TickTable`: data and `txn` versions
/// commit together.
public actor CandleTable {
    /// The Delta machinery underneath (log, commits, vacuum).
    public nonisolated let delta: DeltaTable
    let logger: Logger

    private init(delta: DeltaTable, logger: Logger) {
        self.delta = delta
        self.logger = logger
    }

    /// Opens the candles table at `root` in the lake's `store`, creating it if there is none.
    public static func open(store: any ObjectStore, root: String = "candles",
                            logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> CandleTable {
        let delta = DeltaTable(store: store, root: root, logger: logger)
        if try await !delta.exists() {
            try await delta.create(schema: CandleColumn.deltaSchema(), partitionColumns: CandleColumn.partitionColumns,
                                   name: "candles")
        }
        let snapshot = try await delta.latestSnapshot()
        guard snapshot.partitionColumns == CandleColumn.partitionColumns else {
            throw LakehouseError(.invalidArgument,
                "the table at '\(delta.root)' is partitioned by \(snapshot.partitionColumns), not \(CandleColumn.partitionColumns): not a candles table")
        }
        return CandleTable(delta: delta, logger: logger)
    }

    /// The latest version.
    public func snapshot() async throws -> CandleSnapshot {
        CandleSnapshot(delta: try await delta.latestSnapshot(), table: delta)
    }

    /// The table as of `version` (time travel).
    public func snapshot(version: Int64) async throws -> CandleSnapshot {
        CandleSnapshot(delta: try await delta.snapshot(version: version), table: delta)
    }

    /// The last version committed by writer `appId` (e.g. a backfill series), or nil.
    public func transactionVersion(appId: String) async throws -> Int64? {
        try await delta.latestSnapshot().transactionVersion(appId)
    }

    /// Writes the records (one file per date and source, sorted by asset, interval, open
    /// time) and commits them with the `transactions` in one version; returns it. With no
    /// records, commits the transactions alone (with nothing at all, returns the current
    /// version). Values in `CandleRecord.extra` fill columns added by `addColumns`; a name the
    /// table does not have is refused.
    ///
    /// Throws `.concurrentModification` if another writer committed a transaction for the
    /// same `appId` meanwhile; the written files are then orphans for `vacuum`.
    @discardableResult
    public func append(_ records: [CandleRecord], transactions: [String: Int64] = [:]) async throws -> Int64 {
        let snapshot = try await delta.latestSnapshot()
        if records.isEmpty && transactions.isEmpty { return snapshot.version }
        let extras = CandleFileCodec.extraFields(snapshot.schema)
        try Self.checkExtras(records, known: Set(extras.map(\.name)))
        let files = try await writeFiles(records, extras: extras)
        let now = currentMillis()
        var actions: [DeltaAction] = files.map { .add($0) }
        for (appId, version) in transactions.sorted(by: { $0.key < $1.key }) {
            actions.append(.txn(TransactionAction(appId: appId, version: version, lastUpdated: now)))
        }
        let version = try await delta.commit(.init(actions: actions, operation: "WRITE",
                                                   parameters: ["mode": .string("Append")], readVersion: snapshot.version))
        logger.debug("appended candles", metadata: ["version": "\(version)", "files": "\(files.count)", "rows": "\(records.count)"])
        return version
    }

    /// Adds nullable columns (schema evolution, a metadata-only commit); returns the version.
    /// Rows written before read them as null; later appends fill them from `CandleRecord.extra`.
    /// Only types the writer can fill are accepted: string, long, double, boolean, timestamp.
    @discardableResult
    public func addColumns(_ fields: [DeltaSchema.Field]) async throws -> Int64 {
        for field in fields where !CandleExtraValue.supportedTypes.contains(field.type) {
            throw LakehouseError(.invalidArgument,
                "column '\(field.name)' has type \(field.type); candles columns may be string, long, double, boolean or timestamp")
        }
        return try await delta.addColumns(fields)
    }

    /// Deletes files no version within `retentionMillis` references (see `DeltaTable.vacuum`).
    public func vacuum(retentionMillis: Int64 = 7 * 86_400_000, dryRun: Bool = false) async throws -> [ObjectKey] {
        try await delta.vacuum(retentionMillis: retentionMillis, dryRun: dryRun)
    }

    private static func checkExtras(_ records: [CandleRecord], known: Set<String>) throws {
        for record in records {
            for name in record.extra.keys where !known.contains(name) {
                throw LakehouseError(.invalidArgument,
                    "candle \(record.source)/\(record.asset) has a value for column '\(name)', which the candles table does not have (add it with addColumns first)")
            }
        }
    }

    /// Writes one data file per (date, source) partition; returns their uncommitted adds.
    private func writeFiles(_ records: [CandleRecord], extras: [CandleFileCodec.ExtraField]) async throws -> [AddFile] {
        var groups: [String: (values: [String: String?], records: [CandleRecord])] = [:]
        for record in records {
            let date = CivilDate(unixMillis: record.openTimeMillis).description
            let folder = DeltaPath.hiveSegment(name: "date", value: date) + "/"
                + DeltaPath.hiveSegment(name: "source", value: record.source.rawValue)
            groups[folder, default: (["date": date, "source": record.source.rawValue], [])].records.append(record)
        }
        let delta = self.delta
        return try await withThrowingTaskGroup(of: AddFile.self) { group in
            var adds: [AddFile] = []
            var running = 0
            for (folder, part) in groups.sorted(by: { $0.key < $1.key }) {
                if running >= 4, let add = try await group.next() { adds.append(add); running -= 1 }
                running += 1
                group.addTask {
                    let sorted = part.records.sorted {
                        ($0.asset.rawValue, $0.interval.rawValue, $0.openTimeMillis) < ($1.asset.rawValue, $1.interval.rawValue, $1.openTimeMillis)
                    }
                    let (bytes, stats) = try CandleFileCodec.encode(sorted, extras: extras)
                    let relative = "\(folder)/part-00000-\(UUID().uuidString.lowercased()).c000.snappy.parquet"
                    try await delta.store.put(delta.dataKey(relative), bytes)
                    return AddFile(path: DeltaPath.encode(relative), partitionValues: part.values, size: Int64(bytes.count),
                                   modificationTime: currentMillis(), dataChange: true, stats: try stats.jsonString())
                }
            }
            for try await add in group { adds.append(add) }
            return adds.sorted { $0.path < $1.path }
        }
    }
}
