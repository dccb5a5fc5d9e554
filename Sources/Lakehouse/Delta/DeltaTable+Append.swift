import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// What every CryptoViz table (ticks, candles, trades, alerts) does the same way with its Delta
/// table: open it (creating it on first use), store a data file, commit an append.
extension DeltaTable {
    /// The table at `root` in `store`, created with `schema` and `partitionColumns` if there is
    /// none, and its latest snapshot; `accepts` judges an existing table (a folder holding
    /// another kind of table is refused with `kind` in the message, never written into).
    static func openOrCreate(store: any ObjectStore, root: String, schema: DeltaSchema, partitionColumns: [String],
                             name: String, logger: Logger,
                             accepts: (DeltaSnapshot) -> Bool = { _ in true }) async throws -> (DeltaTable, DeltaSnapshot) {
        let delta = DeltaTable(store: store, root: root, logger: logger)
        if try await !delta.exists() {
            try await delta.create(schema: schema, partitionColumns: partitionColumns, name: name)
        }
        let snapshot = try await delta.latestSnapshot()
        guard accepts(snapshot) else {
            throw LakehouseError(.invalidArgument,
                "the table at '\(delta.root)' (partitioned by \(snapshot.partitionColumns)) is not a \(name) table")
        }
        return (delta, snapshot)
    }

    /// Stores an encoded Parquet file under the partition folder `folder` ("" for none) with a
    /// fresh name; returns its uncommitted `add` (invisible to readers until committed).
    nonisolated func putDataFile(_ bytes: [UInt8], stats: FileStatistics, folder: String, partitionValues: [String: String?],
                                 dataChange: Bool = true) async throws -> AddFile {
        let name = "part-00000-\(UUID().uuidString.lowercased()).c000.snappy.parquet"
        let relative = folder.isEmpty ? name : "\(folder)/\(name)"
        try await store.put(dataKey(relative), bytes)
        return AddFile(path: DeltaPath.encode(relative), partitionValues: partitionValues, size: Int64(bytes.count),
                       modificationTime: currentMillis(), dataChange: dataChange, stats: try stats.jsonString())
    }

    /// Commits `files` and the stream positions `transactions` (app id → version) as one
    /// append computed from `readVersion`: the exactly-once step, where data and positions
    /// become visible together or not at all.
    func commitAppend(_ files: [AddFile], transactions: [String: Int64], readVersion: Int64) async throws -> Int64 {
        let now = currentMillis()
        var actions: [DeltaAction] = files.map { .add($0) }
        for (appId, version) in transactions.sorted(by: { $0.key < $1.key }) {
            actions.append(.txn(TransactionAction(appId: appId, version: version, lastUpdated: now)))
        }
        return try await commit(.init(actions: actions, operation: "WRITE", parameters: ["mode": .string("Append")],
                                      readVersion: readVersion))
    }

    /// The Hive folder of a partition ("date=2026-11-26/source=binance").
    nonisolated static func partitionFolder(_ columns: [String], _ values: [String: String?]) -> String {
        columns.map { DeltaPath.hiveSegment(name: $0, value: values[$0] ?? nil) }.joined(separator: "/")
    }
}
