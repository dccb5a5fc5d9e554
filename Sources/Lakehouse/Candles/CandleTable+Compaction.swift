import CryptoVizCore
import Foundation
import Parquet

extension CandleTable {
    /// What a compaction did (the tick table's report).
    public typealias CompactionResult = TickTable.CompactionResult

    /// Rewrites each (date, source) partition's small files (below `targetFileBytes`) into
    /// files of about that size, rows sorted by asset, interval and open time, in one commit
    /// with `dataChange = false` (Delta "OPTIMIZE"). A partition needs at least `minFiles` small
    /// files to be rewritten: live rollups commit a file per partition every few seconds, a
    /// backfill a large one per commit, so the threshold picks the former.
    ///
    /// Every row is kept (open and final versions of a bar alike): the read rule gives the
    /// same answer before and after. A bin holding a file whose rows would not come back the
    /// same (a built-in column missing or null where CryptoViz never writes one, an unknown
    /// interval or origin, timestamps finer than a millisecond) is left as it is and logged;
    /// the others go ahead. A concurrent commit that removed one of the same
    /// files makes it delete its new files and retry from a fresh snapshot (`attempts` times).
    public func compact(targetFileBytes: Int64 = 64 << 20, minFiles: Int = 2, attempts: Int = 3) async throws -> CompactionResult {
        try await delta.optimize(table: "candles", partitionColumns: CandleColumn.partitionColumns, targetFileBytes: targetFileBytes,
                                 minFiles: minFiles, attempts: attempts) { folder, bin, snapshot in
            let candles = CandleSnapshot(delta: snapshot, table: self.delta)
            return try await self.rewrite(bin, folder: folder, extras: CandleFileCodec.extraFields(snapshot.schema), snapshot: candles)
        }
    }

    /// One bin's rows in one new data file (written, not committed), or the bin kept when a
    /// row would not come back the same.
    private func rewrite(_ bin: [AddFile], folder: String, extras: [CandleFileCodec.ExtraField],
                         snapshot: CandleSnapshot) async throws -> BinRewrite {
        let columns = CandleColumn.dataColumns.map(\.rawValue) + extras.map(\.name)
        var records: [CandleRecord] = []
        var refused: String?
        try await snapshot.read(bin, columnsOf: Array(repeating: columns, count: bin.count), rawTimes: true) { index, raw in
            let file = bin[index]
            guard refused == nil else { return }
            guard let batch = Self.exact(raw) else {
                refused = file.path
                return
            }
            let rows = CandleBatchRows(batch, extras: extras)
            records.reserveCapacity(records.count + batch.count)
            for i in 0..<batch.count { records.append(rows.record(at: i)) }
        }
        if let refused { return .kept(file: refused) }
        // Stable: rows of one key keep the order they had (files by age, rows in file order).
        let order = records.indices.sorted {
            let a = records[$0], b = records[$1]
            return (a.asset.rawValue, a.interval.rawValue, a.openTimeMillis, $0) < (b.asset.rawValue, b.interval.rawValue, b.openTimeMillis, $1)
        }
        let sorted = order.map { records[$0] }
        let (bytes, stats) = try CandleFileCodec.encode(sorted, extras: extras)
        return .rewritten(try await delta.putDataFile(bytes, stats: stats, folder: folder, partitionValues: bin[0].partitionValues,
                                                      dataChange: false))
    }

    /// The batch with timestamps in ms, or nil when a record built from it would differ from
    /// the stored row: a required built-in column absent or null, an interval or origin the
    /// model does not know, or a timestamp with digits below the millisecond.
    private static func exact(_ raw: CandleBatch) -> CandleBatch? {
        var columns = raw.columns
        for column in CandleColumn.dataColumns where !column.nullable {
            guard let data = raw.columns[column.rawValue], data.validity == nil else { return nil }
        }
        guard raw.strings(.interval)?.allSatisfy({ CandleInterval(rawValue: $0) != nil }) == true,
              raw.strings(.origin)?.allSatisfy({ CandleOrigin(rawValue: $0) != nil }) == true else { return nil }
        for column in [CandleColumn.openTime, .ingestTime] {
            let scale = raw.timeScales[column.rawValue] ?? 1
            guard scale != 1 else { continue }
            guard let values = raw.int64s(column), values.allSatisfy({ $0 % scale == 0 }) else { return nil }
            columns[column.rawValue] = ColumnData(.int64(values.map { $0 / scale }))
        }
        return CandleBatch(count: raw.count, columns: columns, partition: raw.partition)
    }
}
