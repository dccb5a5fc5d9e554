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
    /// interval or origin, timestamps finer than a millisecond) is left as it is and reported
    /// in `skippedFiles`; the others go ahead. A concurrent commit that removed one of the same
    /// files makes it delete its new files and retry from a fresh snapshot (`attempts` times).
    public func compact(targetFileBytes: Int64 = 64 << 20, minFiles: Int = 2, attempts: Int = 3) async throws -> CompactionResult {
        var lastError: (any Error)?
        for _ in 0..<max(1, attempts) {
            let snapshot = try await snapshot()
            var byPartition: [String: [AddFile]] = [:]
            for file in snapshot.delta.files where file.size < targetFileBytes {
                let folder = CandleColumn.partitionColumns.map { DeltaPath.hiveSegment(name: $0, value: file.partitionValues[$0] ?? nil) }
                    .joined(separator: "/")
                byPartition[folder, default: []].append(file)
            }
            let work = byPartition.filter { $0.value.count >= max(2, minFiles) }.sorted { $0.key < $1.key }.flatMap { folder, files in
                TickTable.bins(files, targetFileBytes: targetFileBytes).filter { $0.count >= 2 }.map { (folder, $0) }
            }
            if work.isEmpty { return CompactionResult(version: nil, partitions: 0, filesRemoved: 0, filesAdded: 0) }
            let extras = CandleFileCodec.extraFields(snapshot.delta.schema)
            var adds: [AddFile] = []
            var removes: [RemoveFile] = []
            var skipped: [String] = []
            let now = currentMillis()
            do {
                // One bin at a time: rollup bins are small, and records of a large bin are not.
                for (folder, bin) in work {
                    guard let add = try await rewrite(bin, folder: folder, extras: extras, snapshot: snapshot, skipped: &skipped) else { continue }
                    adds.append(add)
                    removes += bin.map { RemoveFile(removing: $0, at: now, dataChange: false) }
                }
            } catch {
                try? await delta.store.delete(adds.map { delta.dataKey($0.relativeKey) })
                throw error
            }
            if !skipped.isEmpty {
                logger.notice("candles compaction left files it cannot rewrite without change", metadata: ["files": "\(skipped.joined(separator: ", "))"])
            }
            if adds.isEmpty { return CompactionResult(version: nil, partitions: 0, filesRemoved: 0, filesAdded: 0) }
            let actions = removes.map { DeltaAction.remove($0) } + adds.map { DeltaAction.add($0) }
            do {
                let version = try await delta.commit(.init(
                    actions: actions, operation: "OPTIMIZE",
                    parameters: ["targetSize": .string(String(targetFileBytes)), "predicate": .string("[]")],
                    readVersion: snapshot.version))
                logger.info("compacted candles", metadata: ["version": "\(version)", "removed": "\(removes.count)", "added": "\(adds.count)"])
                let partitions = Set(adds.map { add in CandleColumn.partitionColumns.map { add.partitionValues[$0] ?? nil } })
                return CompactionResult(version: version, partitions: partitions.count, filesRemoved: removes.count, filesAdded: adds.count)
            } catch let error as LakehouseError where error.code == .concurrentModification {
                logger.warning("candles compaction conflicted; retrying", metadata: ["error": "\(error)"])
                try? await delta.store.delete(adds.map { delta.dataKey($0.relativeKey) })
                lastError = error
            }
        }
        throw lastError ?? LakehouseError(.concurrentModification, "candles compaction conflicted")
    }

    /// One bin's rows in one new data file (written, not committed); nil, with the offending
    /// file named in `skipped`, when a row would not come back the same.
    private func rewrite(_ bin: [AddFile], folder: String, extras: [CandleFileCodec.ExtraField], snapshot: CandleSnapshot,
                         skipped: inout [String]) async throws -> AddFile? {
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
        if let refused {
            skipped.append(refused)
            return nil
        }
        // Stable: rows of one key keep the order they had (files by age, rows in file order).
        let order = records.indices.sorted {
            let a = records[$0], b = records[$1]
            return (a.asset.rawValue, a.interval.rawValue, a.openTimeMillis, $0) < (b.asset.rawValue, b.interval.rawValue, b.openTimeMillis, $1)
        }
        let sorted = order.map { records[$0] }
        let (bytes, stats) = try CandleFileCodec.encode(sorted, extras: extras)
        let relative = "\(folder)/part-00000-\(UUID().uuidString.lowercased()).c000.snappy.parquet"
        try await delta.store.put(delta.dataKey(relative), bytes)
        return AddFile(path: DeltaPath.encode(relative), partitionValues: bin[0].partitionValues, size: Int64(bytes.count),
                       modificationTime: currentMillis(), dataChange: false, stats: try stats.jsonString())
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
