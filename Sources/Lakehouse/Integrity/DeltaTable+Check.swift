import ObjectStore
import Parquet

extension DeltaTable {
    /// Checks every data file of `snapshot` (the latest when nil) against the log: the object
    /// exists, its size is the `add.size`, it opens as Parquet and every page of every column
    /// decodes (page checksums included, where the writer stored them), and it holds the rows
    /// of the `numRecords` statistic.
    ///
    /// Damaged files are reported, not thrown; an error of the store itself (unreachable,
    /// denied) is thrown, since it says nothing about the files.
    public func checkDataFiles(snapshot: DeltaSnapshot? = nil, concurrency: Int = 4) async throws -> IntegrityReport {
        let checked: DeltaSnapshot
        if let snapshot { checked = snapshot } else { checked = try await latestSnapshot() }
        let files = checked.files
        let store = self.store
        let keys = files.map { dataKey($0.relativeKey) }
        var problems: [DataFileProblem] = []
        try await withThrowingTaskGroup(of: DataFileProblem?.self) { group in
            var next = 0
            func launch() {
                let (file, key) = (files[next], keys[next])
                group.addTask { try await Self.check(file, at: key, in: store) }
                next += 1
            }
            while next < min(max(1, concurrency), files.count) { launch() }
            while let outcome = try await group.next() {
                if let outcome { problems.append(outcome) }
                if next < files.count { launch() }
            }
        }
        problems.sort { $0.path < $1.path }
        return IntegrityReport(version: checked.version, filesChecked: files.count,
                               bytesChecked: files.reduce(0) { $0 + $1.size }, problems: problems)
    }

    /// The first problem of one file, or nil when it is intact.
    static func check(_ file: AddFile, at key: ObjectKey, in store: any ObjectStore) async throws -> DataFileProblem? {
        guard let head = try await store.head(key) else {
            return DataFileProblem(file: file, kind: .missing, message: "no object at \(key)")
        }
        guard Int64(head.size) == file.size else {
            return DataFileProblem(file: file, kind: .sizeMismatch, message: "log says \(file.size) bytes, store has \(head.size)")
        }
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch let error as ObjectStoreError where error.code == .notFound {
            return DataFileProblem(file: file, kind: .missing, message: "no object at \(key)")
        }
        guard Int64(bytes.count) == file.size else {
            return DataFileProblem(file: file, kind: .sizeMismatch, message: "log says \(file.size) bytes, read \(bytes.count)")
        }
        let rows: Int64
        do {
            rows = try ParquetBridge.verify(bytes)
        } catch let error as ParquetError {
            return DataFileProblem(file: file, kind: error.code == .checksumMismatch ? .checksumMismatch : .unreadable,
                                   message: error.message)
        } catch {
            return DataFileProblem(file: file, kind: .unreadable, message: "\(error)")
        }
        if let expected = file.parsedStatistics()?.numRecords, expected >= 0, expected != rows {
            return DataFileProblem(file: file, kind: .rowCountMismatch, message: "log says \(expected) rows, file holds \(rows)")
        }
        return nil
    }
}
