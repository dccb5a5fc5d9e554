import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// The lake's `alerts` table: every alert fired and resolved, partitioned by `date` (UTC date
/// of the event), one data file per date per append.
///
/// Exactly-once by position: each append commits its rows with a `txn` action whose version is
/// the position after its last row (`AlertRecord.position`), so a writer that restarts asks
/// `committedPosition` and appends only what follows; a commit that lost a race with another
/// append of the same writer fails with `.concurrentModification` instead of doubling rows.
public actor AlertTable {
    public nonisolated let delta: DeltaTable
    let logger: Logger

    private init(delta: DeltaTable, logger: Logger) {
        self.delta = delta
        self.logger = logger
    }

    /// Opens the table at `root` in the lake's `store`, creating it if there is none.
    public static func open(store: any ObjectStore, root: String = "alerts",
                            logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> AlertTable {
        let (delta, _) = try await DeltaTable.openOrCreate(
            store: store, root: root, schema: AlertColumn.deltaSchema(), partitionColumns: AlertColumn.partitionColumns,
            name: "alerts", logger: logger) {
            $0.partitionColumns == AlertColumn.partitionColumns && $0.schema.field(AlertColumn.alertID.rawValue) != nil
        }
        return AlertTable(delta: delta, logger: logger)
    }

    /// The position after the last row writer `appId` committed (0 when it never wrote).
    public func committedPosition(appId: String) async throws -> Int64 {
        try await delta.latestSnapshot().transactionVersion(appId) ?? 0
    }

    /// Appends `records` (positions from `committedPosition` on, in order, no gap) in one
    /// version; returns the new committed position. Records before the committed position
    /// (already in the table) are skipped; a gap is refused.
    @discardableResult
    public func append(_ records: [AlertRecord], appId: String) async throws -> Int64 {
        let snapshot = try await delta.latestSnapshot()
        let committed = snapshot.transactionVersion(appId) ?? 0
        let fresh = records.filter { $0.position >= committed }.sorted { $0.position < $1.position }
        guard let first = fresh.first else { return committed }
        for (offset, record) in fresh.enumerated() where record.position != committed + Int64(offset) {
            throw LakehouseError(.invalidArgument,
                "alert record at position \(record.position) leaves a gap: the table holds positions up to \(committed) (\(first.position) given first)")
        }
        let end = committed + Int64(fresh.count)
        var byDate: [String: [AlertRecord]] = [:]
        for record in fresh { byDate[CivilDate(unixMillis: record.atMillis).description, default: []].append(record) }
        var files: [AddFile] = []
        for (date, rows) in byDate.sorted(by: { $0.key < $1.key }) {
            let (bytes, stats) = try AlertFileCodec.encode(rows)
            files.append(try await delta.putDataFile(bytes, stats: stats, folder: DeltaPath.hiveSegment(name: "date", value: date),
                                                     partitionValues: ["date": date]))
        }
        let version = try await delta.commitAppend(files, transactions: [appId: end], readVersion: snapshot.version)
        logger.debug("appended alerts", metadata: ["version": "\(version)", "rows": "\(fresh.count)", "position": "\(end)"])
        return end
    }

    /// Every row of the latest version, in position order (the table is small: a row per
    /// alert event).
    public func records() async throws -> [AlertRecord] {
        let snapshot = try await delta.latestSnapshot()
        var all: [AlertRecord] = []
        for file in snapshot.files {
            let bytes = try await delta.store.get(delta.dataKey(file.relativeKey))
            all += try AlertFileCodec.decode(bytes, path: file.path)
        }
        return all.sorted { $0.position < $1.position }
    }

    /// The data files of the latest version, relative to the table's folder (the SQL view).
    public func fileKeys() async throws -> [String] {
        try await delta.latestSnapshot().files.map(\.relativeKey)
    }
}
