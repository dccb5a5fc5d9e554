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
        let (delta, _) = try await DeltaTable.openOrCreate(
            store: store, root: root, schema: CandleColumn.deltaSchema(), partitionColumns: CandleColumn.partitionColumns,
            name: "candles", logger: logger) { $0.partitionColumns == CandleColumn.partitionColumns }
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
        let version = try await delta.commitAppend(files, transactions: transactions, readVersion: snapshot.version)
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
            let values: [String: String?] = ["date": CivilDate(unixMillis: record.openTimeMillis).description, "source": record.source.rawValue]
            groups[DeltaTable.partitionFolder(CandleColumn.partitionColumns, values), default: (values, [])].records.append(record)
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
                    return try await delta.putDataFile(bytes, stats: stats, folder: folder, partitionValues: part.values)
                }
            }
            for try await add in group { adds.append(add) }
            return adds.sorted { $0.path < $1.path }
        }
    }
}
