import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// The lake's trades table: every streamed trade (`TradeRecord`) once, in a Delta table
/// partitioned by `date` (UTC date of the trade time) and `source`, rows sorted by asset, pair
/// and trade id in each file.
///
/// Exactly-once like `TickTable`: data and `txn` versions (the stream processor's bus
/// positions) commit together, and a writer that reads a snapshot, drops what its positions
/// already cover and commits against that snapshot's version cannot double a row, since a
/// competing commit of the same app id fails the commit (`.concurrentModification`).
public actor TradeTable {
    /// The Delta machinery underneath (log, commits, vacuum).
    public nonisolated let delta: DeltaTable
    let logger: Logger

    private init(delta: DeltaTable, logger: Logger) {
        self.delta = delta
        self.logger = logger
    }

    /// Opens the trades table at `root` in the lake's `store`, creating it if there is none.
    public static func open(store: any ObjectStore, root: String = "trades",
                            logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> TradeTable {
        let (delta, _) = try await DeltaTable.openOrCreate(
            store: store, root: root, schema: TradeColumn.deltaSchema(), partitionColumns: TradeColumn.partitionColumns,
            name: "trades", logger: logger) {
            $0.partitionColumns == TradeColumn.partitionColumns && $0.schema.field(TradeColumn.tradeID.rawValue) != nil
        }
        return TradeTable(delta: delta, logger: logger)
    }

    /// The last version committed by writer `appId`, or nil.
    public func transactionVersion(appId: String) async throws -> Int64? {
        try await delta.latestSnapshot().transactionVersion(appId)
    }

    /// Writes the records (one file per date and source) and commits them with the
    /// `transactions` in one version computed from `readVersion` (the latest when nil); returns
    /// it. With no records, commits the transactions alone (with nothing at all, returns the
    /// current version). Dropping rows a position already covers is the caller's: it read them
    /// from the snapshot of `readVersion` (`delta.latestSnapshot()`).
    @discardableResult
    public func append(_ records: [TradeRecord], transactions: [String: Int64] = [:], readVersion: Int64? = nil) async throws -> Int64 {
        let base: Int64
        if let readVersion { base = readVersion } else { base = try await delta.latestSnapshot().version }
        if records.isEmpty && transactions.isEmpty { return base }
        let files = try await writeFiles(records)
        let version = try await delta.commitAppend(files, transactions: transactions, readVersion: base)
        logger.debug("appended trades", metadata: ["version": "\(version)", "files": "\(files.count)", "rows": "\(records.count)"])
        return version
    }

    /// The trades of `source` with trade times in [`fromMillis`, `toMillis`) in the latest
    /// version, ordered by source, pair and trade id. Every stored row: the table holds a trade
    /// once, so a repeat here is a fault the caller should see.
    public func trades(source: ProviderID? = nil, fromMillis: Int64? = nil, toMillis: Int64? = nil) async throws -> [TradeRecord] {
        let snapshot = try await delta.latestSnapshot()
        let files = Self.candidateFiles(snapshot, source: source, fromMillis: fromMillis, toMillis: toMillis)
        let store = delta.store
        let keys = files.map { delta.dataKey($0.relativeKey) }
        var out: [TradeRecord] = []
        try await inOrderConcurrently(count: files.count, width: 8, { i in
            try await TradeFileCodec.fetch(files[i], from: store, key: keys[i], version: snapshot.version)
        }, { _, records in
            for record in records {
                if let source, record.trade.source != source { continue }
                if let fromMillis, record.trade.tradeTimeMillis < fromMillis { continue }
                if let toMillis, record.trade.tradeTimeMillis >= toMillis { continue }
                out.append(record)
            }
        })
        return out.sorted {
            ($0.trade.source.rawValue, $0.trade.pair, $0.trade.tradeID) < ($1.trade.source.rawValue, $1.trade.pair, $1.trade.tradeID)
        }
    }

    /// The files of `snapshot` that may hold trades of `source` with trade times in
    /// [`fromMillis`, `toMillis`), by partition values and trade-time statistics.
    static func candidateFiles(_ snapshot: DeltaSnapshot, source: ProviderID? = nil, fromMillis: Int64? = nil,
                               toMillis: Int64? = nil) -> [AddFile] {
        let firstDay = fromMillis.map { CivilDate(unixMillis: $0) }
        let lastDay = toMillis.map { CivilDate(unixMillis: $0 - 1) }
        return snapshot.files.filter { file in
            if let source, let s = file.partitionValues["source"] ?? nil, s != source.rawValue { return false }
            if !partitionDay(of: file.partitionValues, within: firstDay, lastDay) { return false }
            guard let range = file.parsedStatistics()?.timestampRange(TradeColumn.tradeTime.rawValue) else { return true }
            if let fromMillis, range.upperBound < fromMillis { return false }
            if let toMillis, range.lowerBound >= toMillis { return false }
            return true
        }
    }

    /// Deletes files no version within `retentionMillis` references (see `DeltaTable.vacuum`).
    public func vacuum(retentionMillis: Int64 = 7 * 86_400_000, dryRun: Bool = false) async throws -> [ObjectKey] {
        try await delta.vacuum(retentionMillis: retentionMillis, dryRun: dryRun)
    }

    /// Rows sorted by asset, pair and trade id (byte order, as Parquet statistics compare).
    static func sorted(_ records: [TradeRecord]) -> [TradeRecord] {
        records.sorted {
            let a = $0.trade, b = $1.trade
            if a.asset != b.asset { return a.asset.rawValue.utf8.lexicographicallyPrecedes(b.asset.rawValue.utf8) }
            if a.pair != b.pair { return a.pair.utf8.lexicographicallyPrecedes(b.pair.utf8) }
            return a.tradeID < b.tradeID
        }
    }

    /// Writes one data file per (date, source) partition; returns their uncommitted adds.
    private func writeFiles(_ records: [TradeRecord]) async throws -> [AddFile] {
        var groups: [String: (values: [String: String?], records: [TradeRecord])] = [:]
        for record in records {
            let values: [String: String?] = ["date": CivilDate(unixMillis: record.trade.tradeTimeMillis).description,
                                             "source": record.trade.source.rawValue]
            groups[DeltaTable.partitionFolder(TradeColumn.partitionColumns, values), default: (values, [])].records.append(record)
        }
        var adds: [AddFile] = []
        for (folder, part) in groups.sorted(by: { $0.key < $1.key }) {
            let (bytes, stats) = try TradeFileCodec.encode(Self.sorted(part.records))
            adds.append(try await delta.putDataFile(bytes, stats: stats, folder: folder, partitionValues: part.values))
        }
        return adds
    }
}
