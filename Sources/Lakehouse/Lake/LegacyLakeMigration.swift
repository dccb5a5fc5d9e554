import Foundation
import Logging
import ObjectStore

/// Moves a lake written before tables had their own folders (the tick table's `_delta_log/`
/// and partition folders directly at the lake root) into `ticks/`, keeping every version:
/// the JSON commits, checkpoints and `_last_checkpoint` are copied byte for byte, so time
/// travel by version and the `txn` versions of exactly-once writers survive.
///
/// Crash safety rests on one rule: the root `_delta_log/` stays the table until the marker
/// object `_migration/ticks-copied.json` says the copy under `ticks/` is complete.
///
/// 1. `copyDataFiles`: every object outside the log and outside other tables' folders goes to `ticks/<key>`.
/// 2. `copyLog`: the log goes to `ticks/_delta_log/`, `_last_checkpoint` last; repeated until
///    the root log stops changing, so a commit that raced the copy is not left behind.
/// 3. `markCopied`: writes the marker (one atomic put).
/// 4. `retireRootLog`: deletes the root log, JSON commits last.
/// 5. `removeRootDataFiles`: deletes the root data files whose copy under `ticks/` has the same size.
/// 6. `finish`: deletes the marker.
///
/// A crash before step 3 leaves the old lake intact (the root log is untouched and still wins
/// at the next open, which starts over; every copy is an idempotent overwrite with the same
/// bytes). A crash at or after step 3 leaves the new table complete; the next open sees the
/// marker and runs steps 4-6 only. Writers must be stopped while an old lake is upgraded:
/// the migration runs when a lake is opened, before anything is written through it.
///
/// Delta defines a version's commit time as its log file's modification time: on local disk
/// the copies keep their originals' times, so time travel by timestamp is unchanged; on S3 an
/// object's time cannot be set, so there time travel *by timestamp* to versions before the
/// migration sees them all at the migration time (time travel by version is exact).
public struct LegacyLakeMigration: Sendable {
    public let store: any ObjectStore
    let logger: Logger
    /// Where the tick table goes: `Lake.ticksRoot`.
    public let target: String

    /// Folders at the lake root that belong to tables of the new layout (or this migration)
    /// and are never part of the legacy tick table.
    static let reservedFolders = ["ticks/", "candles/", "trades/", "alerts/", "_migration/"]
    static let rootLog = "_delta_log/"
    /// Present only between `markCopied` and `finish`.
    public static let markerKey = ObjectKey("_migration/ticks-copied.json")

    public init(store: any ObjectStore, target: String = Lake.ticksRoot, logger: Logger) {
        self.store = store
        self.target = target.hasSuffix("/") ? target : target + "/"
        self.logger = logger
    }

    /// What `run` found and did.
    public enum Outcome: Sendable, Equatable {
        /// No table at the root: nothing to do.
        case notNeeded
        /// A legacy table was migrated from the start.
        case migrated(dataFiles: Int, logFiles: Int)
        /// A migration interrupted after its copy was complete was finished.
        case finished
    }

    /// Migrates the lake if it needs it (or finishes an interrupted migration).
    @discardableResult
    public func run() async throws -> Outcome {
        if try await store.head(Self.markerKey) != nil {
            logger.info("finishing an interrupted lake migration: the tick table under \(target) is complete; removing the old root copy")
            try await retireRootLog()
            try await removeRootDataFiles()
            try await finish()
            return .finished
        }
        guard try await needsMigration() else { return .notNeeded }
        try await checkTargetHoldsOnlyOurCopy()
        logger.info("migrating a lake written before per-table folders: moving the tick table from the lake root to \(target) (every version is kept)")
        let data = try await copyDataFiles()
        let log = try await copyLog()
        try await markCopied()
        try await retireRootLog()
        try await removeRootDataFiles()
        try await finish()
        logger.info("lake migration complete", metadata: ["data_files": "\(data)", "log_files": "\(log)", "table": "\(target)"])
        return .migrated(dataFiles: data, logFiles: log)
    }

    /// True when a tick table's log lies at the lake root.
    public func needsMigration() async throws -> Bool {
        !(try await store.list(prefix: Self.rootLog, delimiter: nil, continuationToken: nil, maxKeys: 1).objects.isEmpty)
    }

    // MARK: - Steps (public so that tests can stop between them, as a crash would)

    /// Step 1: copies the table's data files (and anything else of it outside the log, such
    /// as quarantined copies) under the target; returns how many.
    @discardableResult
    public func copyDataFiles() async throws -> Int {
        let objects = try await rootDataObjects()
        try await copy(objects.map(\.key))
        return objects.count
    }

    /// Step 2: copies the log: JSON commits in version order, then checkpoints and other log
    /// files, `_last_checkpoint` last; again while the root log changed meanwhile. Returns
    /// how many log files the root holds.
    @discardableResult
    public func copyLog() async throws -> Int {
        var copied: [ObjectKey: Int] = [:]
        while true {
            let listed = try await store.listAll(prefix: Self.rootLog)
            let pending = listed.filter { copied[$0.key] != $0.size }
            if pending.isEmpty { return listed.count }
            let ordered = pending.sorted { Self.copyOrder($0.key) < Self.copyOrder($1.key) }
            for object in ordered {
                try await copy([object.key])
                try preserveModificationTime(object)
                copied[object.key] = object.size
            }
        }
    }

    /// Step 3: records that the copy is complete. From here on the target is the table.
    public func markCopied() async throws {
        let version = try await store.listAll(prefix: target + "_delta_log/").compactMap { object -> Int64? in
            let name = object.key.rawValue.dropFirst(target.count + "_delta_log/".count)
            return name.hasSuffix(".json") && name.count == 25 ? Int64(name.prefix(20)) : nil
        }.max()
        guard let version else {
            throw LakehouseError(.tableNotFound, "lake migration: no commit was copied to \(target)_delta_log/; the root table is left as it was")
        }
        let body = "{\"table\":\"\(target)\",\"latestVersion\":\(version),\"markedAt\":\(currentMillis())}"
        try await store.put(Self.markerKey, Array(body.utf8))
    }

    /// Step 4: deletes the root log; JSON commits go last, so until the end the root still
    /// looks like a table to tools that know no better.
    public func retireRootLog() async throws {
        let keys = try await store.listAll(prefix: Self.rootLog).map(\.key)
        let ordered = keys.sorted { Self.copyOrder($0) > Self.copyOrder($1) }
        try await delete(ordered)
    }

    /// Step 5: deletes root data files whose copy under the target exists with the same size
    /// (anything else is left where it is and logged: never lose data to a cleanup).
    public func removeRootDataFiles() async throws {
        var doomed: [ObjectKey] = []
        var kept = 0
        for object in try await rootDataObjects() {
            if let copy = try await store.head(ObjectKey(target + object.key.rawValue)), copy.size == object.size {
                doomed.append(object.key)
            } else {
                kept += 1
            }
        }
        try await delete(doomed)
        if kept > 0 {
            logger.warning("lake migration left root objects that have no identical copy under \(target)", metadata: ["count": "\(kept)"])
        }
    }

    /// Step 6: deletes the marker; the migration is over.
    public func finish() async throws {
        try await store.delete([Self.markerKey])
    }

    /// Refuses to copy over a table that is not an earlier, interrupted copy of this one:
    /// every log file already under the target must exist at the root with the same size
    /// (and, for JSON commits, which are small, the same bytes).
    /// (A lake holding both a root table and a different `ticks/` table, say one an old
    /// binary kept writing at the root after an upgrade, needs a person to decide.)
    func checkTargetHoldsOnlyOurCopy() async throws {
        let targetLog = target + "_delta_log/"
        let existing = try await store.listAll(prefix: targetLog)
        guard !existing.isEmpty else { return }
        var rootSizes: [String: Int] = [:]
        for object in try await store.listAll(prefix: Self.rootLog) {
            rootSizes[String(object.key.rawValue.dropFirst(Self.rootLog.count))] = object.size
        }
        for object in existing {
            let name = String(object.key.rawValue.dropFirst(targetLog.count))
            // `_last_checkpoint` is rewritten by the root table's writers; its size may change.
            if name == "_last_checkpoint" { continue }
            var same = rootSizes[name] == object.size
            if same && name.hasSuffix(".json") {
                same = try await store.get(object.key) == store.get(ObjectKey(Self.rootLog + name))
            }
            guard same else {
                throw LakehouseError(.invalidArgument, """
                    the lake holds a tick table at its root (_delta_log/) and another in \(target) whose log file \
                    '\(name)' differs from the root's: not migrating over it. Keep one: move the root table's \
                    _delta_log/ and data folders elsewhere, or remove \(target)
                    """)
            }
        }
    }

    // MARK: - Helpers

    /// Objects at the root that belong to the legacy table but not to its log.
    private func rootDataObjects() async throws -> [ObjectMetadata] {
        try await store.listAll(prefix: "").filter { object in
            let key = object.key.rawValue
            return !key.hasPrefix(Self.rootLog) && !Self.reservedFolders.contains { key.hasPrefix($0) }
                && !key.hasPrefix(target)
        }
    }

    /// Sort key for log files: JSON commits by version, then checkpoints, then other files,
    /// `_last_checkpoint` last (it must never name a checkpoint not yet copied).
    static func copyOrder(_ key: ObjectKey) -> (Int, String) {
        let name = key.rawValue.split(separator: "/").last.map(String.init) ?? key.rawValue
        if name == "_last_checkpoint" { return (3, name) }
        if name.hasSuffix(".json") { return (0, name) }
        if name.contains(".checkpoint") { return (1, name) }
        return (2, name)
    }

    /// On local disk, gives the copy of a log file its original's modification time: Delta
    /// takes a version's commit time from it, so time travel by timestamp stays exact. (An S3
    /// object's time cannot be set; there those versions read as committed at the migration.)
    private func preserveModificationTime(_ original: ObjectMetadata) throws {
        guard let local = store as? LocalFileStore else { return }
        let path = URL(fileURLWithPath: local.root).appendingPathComponent(target + original.key.rawValue).path
        let date = Date(timeIntervalSince1970: Double(original.lastModifiedMillis) / 1000)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    /// Copies `keys` to the target, four at a time (each object is read whole).
    private func copy(_ keys: [ObjectKey]) async throws {
        let store = self.store
        let target = self.target
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for key in keys {
                if running >= 4 { try await group.next(); running -= 1 }
                running += 1
                group.addTask {
                    let bytes = try await store.get(key)
                    try await store.put(ObjectKey(target + key.rawValue), bytes)
                }
            }
            try await group.waitForAll()
        }
    }

    private func delete(_ keys: [ObjectKey]) async throws {
        for chunk in stride(from: 0, to: keys.count, by: 1000) {
            try await store.delete(Array(keys[chunk..<min(chunk + 1000, keys.count)]))
        }
    }
}
