import CryptoVizCore
import Foundation
import Parquet

extension TickTable {
    /// What a compaction did.
    public struct CompactionResult: Sendable {
        /// The version committed, nil when nothing needed compacting.
        public var version: Int64?
        public var partitions: Int
        public var filesRemoved: Int
        public var filesAdded: Int
    }

    /// Rewrites each partition's small files (below `targetFileBytes`) into files of about that
    /// size, rows sorted by asset then time, in one commit with `dataChange = false` (Delta
    /// "OPTIMIZE"). A partition needs at least `minFiles` small files to be rewritten.
    ///
    /// The small files of a partition are packed in order into bins of at most
    /// `targetFileBytes`, and each bin of two or more files becomes one file: its (sorted)
    /// files are merged column by column (`TickMerge`), so memory holds one bin, not the
    /// partition, and no record is built per row.
    ///
    /// Works on any table whose data columns are tick columns of the tick types, whatever its
    /// partitioning (a table delta-rs wrote, say): files are grouped by all their partition
    /// values and rewritten into the same partition. A table it cannot rewrite without losing
    /// something (another column, another type, nulls or sub-millisecond digits the tick model
    /// does not hold) is refused with `.invalidArgument` naming why, before anything is written.
    /// If a concurrent commit removed any of the same files, the new files are deleted and the
    /// compaction retries from a fresh snapshot (up to `attempts` times), then throws.
    public func compact(targetFileBytes: Int64 = 128 << 20, minFiles: Int = 2, attempts: Int = 3) async throws -> CompactionResult {
        var lastError: (any Error)?
        for _ in 0..<max(1, attempts) {
            let snapshot = try await snapshot()
            let columns = try Self.rewritableColumns(snapshot.delta)
            let partitionColumns = snapshot.delta.partitionColumns
            var byPartition: [String: [AddFile]] = [:]
            for file in snapshot.delta.files where file.size < targetFileBytes {
                let folder = partitionColumns.map { DeltaPath.hiveSegment(name: $0, value: file.partitionValues[$0] ?? nil) }
                    .joined(separator: "/")
                byPartition[folder, default: []].append(file)
            }
            let chosen = byPartition.filter { $0.value.count >= max(2, minFiles) }
            if chosen.isEmpty { return CompactionResult(version: nil, partitions: 0, filesRemoved: 0, filesAdded: 0) }
            var adds: [AddFile] = []
            var removes: [RemoveFile] = []
            let now = currentMillis()
            do {
                let work = chosen.sorted(by: { $0.key < $1.key }).flatMap { folder, files in
                    Self.bins(files, targetFileBytes: targetFileBytes).filter { $0.count >= 2 }.map { (folder, $0) }
                }
                // Bins are independent: rewrite as many at once as there are cores. Every outcome
                // is collected, so a failure still knows which files the others wrote.
                let outcomes = await withTaskGroup(of: Result<AddFile, any Error>.self) { group in
                    var outcomes: [Result<AddFile, any Error>] = []
                    var next = 0
                    func launch() {
                        let (folder, bin) = work[next]
                        next += 1
                        group.addTask {
                            do {
                                return .success(try await self.rewrite(bin, folder: folder, columns: columns, snapshot: snapshot))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    while next < min(work.count, ProcessInfo.processInfo.activeProcessorCount) { launch() }
                    while let outcome = await group.next() {
                        outcomes.append(outcome)
                        if next < work.count, (try? outcome.get()) != nil { launch() }
                    }
                    return outcomes
                }
                adds = outcomes.compactMap { try? $0.get() }
                for case .failure(let error) in outcomes { throw error }
                removes = work.flatMap { $0.1 }.map { RemoveFile(removing: $0, at: now, dataChange: false) }
                if adds.isEmpty { return CompactionResult(version: nil, partitions: 0, filesRemoved: 0, filesAdded: 0) }
            } catch {
                try? await delta.store.delete(adds.map { delta.dataKey($0.relativeKey) })
                throw error
            }
            let actions = removes.map { DeltaAction.remove($0) } + adds.map { DeltaAction.add($0) }
            do {
                let version = try await delta.commit(.init(
                    actions: actions, operation: "OPTIMIZE",
                    parameters: ["targetSize": .string(String(targetFileBytes)), "predicate": .string("[]")],
                    readVersion: snapshot.version))
                logger.info("compacted", metadata: ["version": "\(version)", "removed": "\(removes.count)", "added": "\(adds.count)"])
                return CompactionResult(version: version, partitions: chosen.count, filesRemoved: removes.count, filesAdded: adds.count)
            } catch let error as LakehouseError where error.code == .concurrentModification {
                logger.warning("compaction conflicted; retrying", metadata: ["error": "\(error)"])
                try? await delta.store.delete(adds.map { delta.dataKey($0.relativeKey) })
                lastError = error
            }
        }
        throw lastError ?? LakehouseError(.concurrentModification, "compaction conflicted")
    }

    /// The data columns a rewrite writes: the table's non-partition columns, each of which
    /// must be a tick column of its tick type, else the rewrite would drop or retype it.
    static func rewritableColumns(_ snapshot: DeltaSnapshot) throws -> [TickColumn] {
        var present: Set<TickColumn> = []
        for field in snapshot.schema.fields where !snapshot.partitionColumns.contains(field.name) {
            guard let column = TickColumn(rawValue: field.name) else {
                throw LakehouseError(.invalidArgument,
                    "cannot compact: column '\(field.name)' is not a tick column, and a rewrite would drop it")
            }
            guard field.type == column.deltaType else {
                throw LakehouseError(.invalidArgument,
                    "cannot compact: column '\(field.name)' is \(field.type), the tick schema has \(column.deltaType)")
            }
            present.insert(column)
        }
        return TickColumn.allCases.filter { present.contains($0) }
    }

    /// One bin's files merged into one new data file (written, not yet committed).
    nonisolated func rewrite(_ bin: [AddFile], folder: String, columns: [TickColumn], snapshot: TickSnapshot) async throws -> AddFile {
        // Event ids (long, all distinct, only copied) stay in one buffer per file, not a String each.
        let batches = try await ParquetFileReader.$stringsInOneBufferByDefault.withValue([TickColumn.eventID.rawValue]) {
            try await Self.readForRewrite(bin, columns: columns, snapshot: snapshot)
        }
        let order = TickMerge.order(batches)
        let data = columns.map { ($0, TickMerge.gather($0, from: batches, order: order[...])) }
        let (bytes, stats) = try TickFileCodec.encode(data, count: order.count)
        return try await delta.putDataFile(bytes, stats: stats, folder: folder, partitionValues: bin[0].partitionValues, dataChange: false)
    }

    /// Files packed in order (oldest data first, by path within equal times) into bins whose
    /// sizes add up to at most `targetFileBytes` (a file alone may exceed it).
    static func bins(_ files: [AddFile], targetFileBytes: Int64) -> [[AddFile]] {
        var bins: [[AddFile]] = []
        var current: [AddFile] = []
        var size: Int64 = 0
        for file in files.sorted(by: { ($0.modificationTime, $0.path) < ($1.modificationTime, $1.path) }) {
            if !current.isEmpty && size + file.size > targetFileBytes {
                bins.append(current)
                current = []
                size = 0
            }
            current.append(file)
            size += file.size
        }
        if !current.isEmpty { bins.append(current) }
        return bins
    }

    /// The files' rows as columns, refusing values a rewrite would change: nulls (or a
    /// missing column) where the tick model has no null, and sub-millisecond digits.
    static func readForRewrite(_ files: [AddFile], columns: [TickColumn], snapshot: TickSnapshot) async throws -> [TickBatch] {
        var batches: [TickBatch] = []
        var index = 0
        try await snapshot.read(files, columns: TickColumn.allCases) { batch in
            let path = files[index].path
            index += 1
            for column in columns where !column.nullable {
                guard let data = batch.columns[column.rawValue] else {
                    throw LakehouseError(.invalidArgument, "cannot compact: data file '\(path)' has no column '\(column.rawValue)'")
                }
                if data.nullCount > 0 {
                    throw LakehouseError(.invalidArgument,
                        "cannot compact: data file '\(path)' has nulls in '\(column.rawValue)', which the tick model cannot hold")
                }
            }
            if batch.droppedSubMillisecondDigits {
                throw LakehouseError(.invalidArgument,
                    "cannot compact: data file '\(path)' has timestamps finer than a millisecond, which the tick model cannot hold")
            }
            // The merge orders rows by these two; without them typed as ticks it would drop rows.
            guard batch.strings(.asset) != nil, batch.int64s(.sourceTime) != nil else {
                throw LakehouseError(.invalidArgument, "cannot compact: data file '\(path)' lacks a string 'asset' or a timestamp 'source_time'")
            }
            batches.append(batch)
        }
        return batches
    }
}
