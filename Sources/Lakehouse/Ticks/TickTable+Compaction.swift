import CryptoVizCore

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
                for (folder, files) in chosen.sorted(by: { $0.key < $1.key }) {
                    let records = try await Self.readForRewrite(files, columns: columns, snapshot: snapshot)
                    let bytes = files.reduce(Int64(0)) { $0 + $1.size }
                    let chunks = max(1, Int((bytes + targetFileBytes - 1) / targetFileBytes))
                    let per = max(1, (records.count + chunks - 1) / chunks)
                    for start in stride(from: 0, to: records.count, by: per) {
                        adds.append(try await writeFile(Array(records[start..<min(records.count, start + per)]), folder: folder,
                                                        partitionValues: files[0].partitionValues, columns: columns, dataChange: false))
                    }
                    removes += files.map { RemoveFile(removing: $0, at: now, dataChange: false) }
                }
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

    /// The rows of `files` sorted by asset then time, refusing values a rewrite would change:
    /// nulls (or a missing column) where the tick model has no null, and sub-millisecond digits.
    static func readForRewrite(_ files: [AddFile], columns: [TickColumn], snapshot: TickSnapshot) async throws -> [LakeRecord] {
        var records: [LakeRecord] = []
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
            let rows = batch.rows()
            for i in 0..<batch.count { records.append(rows.record(at: i)) }
        }
        records.sort {
            ($0.tick.asset.rawValue, $0.tick.sourceTimeMillis) < ($1.tick.asset.rawValue, $1.tick.sourceTimeMillis)
        }
        return records
    }
}
