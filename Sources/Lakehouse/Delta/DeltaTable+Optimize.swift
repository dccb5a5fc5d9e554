import CryptoVizCore

/// What a compaction made of one bin of small files.
enum BinRewrite: Sendable {
    /// The bin's rows in one new data file, written and not yet committed.
    case rewritten(AddFile)
    /// The bin stays as it is: this file's rows would not come back the same.
    case kept(file: String)
}

extension DeltaTable {
    /// Delta "OPTIMIZE" of a table whose writer rewrites one bin at a time: each partition's
    /// small files (below `targetFileBytes`) are packed into bins, `rewrite` turns a bin of two
    /// or more into one new data file (or keeps it, naming the file that cannot be rewritten),
    /// and the new files replace their bins in one commit with `dataChange = false`. A
    /// partition needs `minFiles` small files.
    ///
    /// A concurrent commit that removed one of the same files makes the new files be deleted
    /// and the whole round start again from a fresh snapshot (`attempts` times in all).
    func optimize(table name: String, partitionColumns: [String], targetFileBytes: Int64, minFiles: Int, attempts: Int,
                  rewrite: @Sendable (_ folder: String, _ bin: [AddFile], _ snapshot: DeltaSnapshot) async throws -> BinRewrite)
    async throws -> TickTable.CompactionResult {
        let nothing = TickTable.CompactionResult(version: nil, partitions: 0, filesRemoved: 0, filesAdded: 0)
        var lastError: (any Error)?
        for _ in 0..<max(1, attempts) {
            let snapshot = try await latestSnapshot()
            var byPartition: [String: [AddFile]] = [:]
            for file in snapshot.files where file.size < targetFileBytes {
                byPartition[Self.partitionFolder(partitionColumns, file.partitionValues), default: []].append(file)
            }
            let work = byPartition.filter { $0.value.count >= max(2, minFiles) }.sorted { $0.key < $1.key }.flatMap { folder, files in
                TickTable.bins(files, targetFileBytes: targetFileBytes).filter { $0.count >= 2 }.map { (folder, $0) }
            }
            if work.isEmpty { return nothing }
            var adds: [AddFile] = []
            var removes: [RemoveFile] = []
            var skipped: [String] = []
            let now = currentMillis()
            do {
                // One bin at a time: bins of frequent small appends are small, their records are not.
                for (folder, bin) in work {
                    switch try await rewrite(folder, bin, snapshot) {
                    case .rewritten(let add):
                        adds.append(add)
                        removes += bin.map { RemoveFile(removing: $0, at: now, dataChange: false) }
                    case .kept(let file):
                        skipped.append(file)
                    }
                }
            } catch {
                try? await store.delete(adds.map { dataKey($0.relativeKey) })
                throw error
            }
            if !skipped.isEmpty {
                logger.notice("\(name) compaction left files it cannot rewrite without change", metadata: ["files": "\(skipped.joined(separator: ", "))"])
            }
            if adds.isEmpty { return nothing }
            let actions = removes.map { DeltaAction.remove($0) } + adds.map { DeltaAction.add($0) }
            do {
                let version = try await commit(.init(
                    actions: actions, operation: "OPTIMIZE",
                    parameters: ["targetSize": .string(String(targetFileBytes)), "predicate": .string("[]")],
                    readVersion: snapshot.version))
                logger.info("compacted \(name)", metadata: ["version": "\(version)", "removed": "\(removes.count)", "added": "\(adds.count)"])
                let partitions = Set(adds.map { add in partitionColumns.map { add.partitionValues[$0] ?? nil } })
                return TickTable.CompactionResult(version: version, partitions: partitions.count, filesRemoved: removes.count,
                                                  filesAdded: adds.count)
            } catch let error as LakehouseError where error.code == .concurrentModification {
                logger.warning("\(name) compaction conflicted; retrying", metadata: ["error": "\(error)"])
                try? await store.delete(adds.map { dataKey($0.relativeKey) })
                lastError = error
            }
        }
        throw lastError ?? LakehouseError(.concurrentModification, "\(name) compaction conflicted")
    }
}
