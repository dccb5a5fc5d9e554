import CryptoVizCore
import ObjectStore

extension DeltaTable {
    /// The folder, under the table root, that keeps copies of quarantined files. Its leading
    /// underscore hides it from Delta readers (PROTOCOL.md: such paths are not table data)
    /// and from `vacuum`, so the evidence stays until someone deletes it.
    public static let quarantineFolder = "_quarantine"

    /// Takes the damaged files of `report` out of the table in one commit of `remove` actions
    /// (`dataChange` true: their rows leave the table), after copying the bytes of those that
    /// still exist to `_quarantine/v<report version>/<path>`. The originals stay where they
    /// are until `vacuum` deletes them like any removed file.
    ///
    /// Only removes: `txn` versions are untouched, so a stream processor resumes where it was,
    /// and appends committed meanwhile do not conflict. A concurrent commit that removed one of
    /// the same files (a compaction) makes this throw `.concurrentModification`; check again.
    /// With `dryRun`, nothing is copied or committed.
    public func quarantine(_ report: IntegrityReport, dryRun: Bool) async throws -> QuarantineResult {
        let files = report.problems
        let copies = files.filter { $0.kind != .missing }.map {
            ObjectKey(root + Self.quarantineFolder + "/v\(report.version)/" + $0.path)
        }
        if dryRun || files.isEmpty { return QuarantineResult(version: nil, files: files, copies: copies) }
        var copied: [ObjectKey] = []
        for problem in files where problem.kind != .missing {
            let target = ObjectKey(root + Self.quarantineFolder + "/v\(report.version)/" + problem.path)
            do {
                try await store.put(target, try await store.get(dataKey(problem.path)))
                copied.append(target)
            } catch let error as ObjectStoreError where error.code == .notFound {
                continue  // gone since the check: nothing left to keep
            }
        }
        let now = currentMillis()
        let version = try await commit(.init(
            actions: files.map { .remove(RemoveFile(removing: $0.file, at: now, dataChange: true)) },
            operation: "QUARANTINE",
            parameters: ["files": .int(Int64(files.count)), "checkedVersion": .int(report.version)],
            readVersion: report.version))
        logger.warning("quarantined damaged data files", metadata: [
            "table": "\(root)", "version": "\(version)", "files": "\(files.count)"])
        return QuarantineResult(version: version, files: files, copies: copied)
    }
}
