import CryptoVizCore
import Foundation
import Logging
import ObjectStore

/// A Delta Lake table on an object store: reads the log into snapshots and commits new
/// versions with optimistic concurrency (Delta PROTOCOL.md, "Delta Log Entries" and
/// "Optimistic Concurrency Control").
///
/// Atomicity comes from `ObjectStore.putIfAbsent` on the next `_delta_log/NNN.json`: of two
/// writers racing for a version exactly one wins; the loser re-reads what won, checks it for
/// conflicts with its own actions, and retries at the next version.
///
/// Every `checkpointInterval`-th commit also writes a Parquet checkpoint and
/// `_last_checkpoint` (PROTOCOL.md "Checkpoints"); opening a table loads the newest usable
/// checkpoint and replays only the later JSON commits. Checkpoints are an optimisation: a
/// missing, stale or corrupt one only costs replay time, and failing to write one never fails
/// the commit.
public actor DeltaTable {
    /// Where the table lives in the store: "" or a prefix ending in "/".
    public nonisolated let root: String
    public nonisolated let store: any ObjectStore
    let logger: Logger
    private var cached: DeltaSnapshot?
    /// How many versions a commit may lose before giving up.
    public var maxCommitAttempts = 200
    /// Commits between checkpoints (0 = never); the table's `delta.checkpointInterval`
    /// setting, when present, wins.
    public private(set) var checkpointInterval: Int64
    /// Set when writing a checkpoint failed: the next commit tries again.
    private var checkpointPending = false
    /// Tombstone retention when the table sets no `delta.deletedFileRetentionDuration` (Delta's default, one week).
    public static let defaultTombstoneRetentionMillis: Int64 = 7 * 24 * 3_600_000
    /// Checkpoints tried (newest first) before falling back to replaying JSON from version 0.
    static let checkpointAttempts = 3

    /// A handle on the table at `root` (nothing is read until a snapshot is asked for);
    /// a checkpoint is written after every `checkpointInterval`-th version (0 disables).
    public init(store: any ObjectStore, root: String = "", logger: Logger, checkpointInterval: Int64 = 10) {
        self.store = store
        self.root = root.isEmpty || root.hasSuffix("/") ? root : root + "/"
        self.logger = logger
        self.checkpointInterval = max(0, checkpointInterval)
    }

    /// Changes how often commits write a checkpoint (0 disables).
    public func setCheckpointInterval(_ interval: Int64) {
        checkpointInterval = max(0, interval)
    }

    var logPrefix: String { root + "_delta_log/" }

    /// The object key of commit `version`: 20-digit zero-padded (Delta PROTOCOL.md, "Delta Log Entries").
    public nonisolated func commitKey(_ version: Int64) -> ObjectKey {
        ObjectKey(root + "_delta_log/" + String(version).leftPadded(to: 20) + ".json")
    }

    /// The object key of the classic checkpoint of `version` (PROTOCOL.md "Checkpoints").
    public nonisolated func checkpointKey(_ version: Int64) -> ObjectKey {
        ObjectKey(root + "_delta_log/" + String(version).leftPadded(to: 20) + ".checkpoint.parquet")
    }

    /// The object key of `_delta_log/_last_checkpoint`.
    public nonisolated var lastCheckpointKey: ObjectKey { ObjectKey(root + "_delta_log/_last_checkpoint") }

    /// The object key of a data file given its decoded table-relative path.
    public nonisolated func dataKey(_ relativePath: String) -> ObjectKey {
        ObjectKey(root + relativePath)
    }

    // MARK: - Reading the log

    /// What a listing of `_delta_log/` holds: JSON commits and classic checkpoints, ascending.
    struct LogListing {
        var commits: [(version: Int64, timestampMillis: Int64)] = []
        var checkpoints: [(version: Int64, timestampMillis: Int64)] = []
    }

    /// Lists the log. Multi-part and V2 (UUID-named) checkpoints are not used: they are
    /// skipped, so such tables are read from the JSON commits or an older classic checkpoint.
    func listLog() async throws -> LogListing {
        var listing = LogListing()
        for object in try await store.listAll(prefix: logPrefix) {
            let name = object.key.rawValue.dropFirst(logPrefix.count)
            guard name.count >= 25, let v = Int64(name.prefix(20)) else { continue }
            let suffix = name.dropFirst(20)
            if suffix == ".json" {
                listing.commits.append((v, object.lastModifiedMillis))
            } else if suffix == ".checkpoint.parquet" {
                listing.checkpoints.append((v, object.lastModifiedMillis))
            }
        }
        listing.commits.sort { $0.version < $1.version }
        listing.checkpoints.sort { $0.version < $1.version }
        return listing
    }

    /// Versions present in the log with their commit times, ascending.
    func listCommits() async throws -> [(version: Int64, timestampMillis: Int64)] {
        try await listLog().commits
    }

    /// True when the table has at least its first commit.
    public func exists() async throws -> Bool {
        if try await store.head(commitKey(0)) != nil { return true }
        // Version 0 may have been cleaned up after a checkpoint.
        let log = try await listLog()
        return !log.commits.isEmpty || !log.checkpoints.isEmpty
    }

    private func readCommit(_ version: Int64) async throws -> [DeltaAction] {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(commitKey(version))
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.versionNotFound, "commit \(version) is missing from \(logPrefix)")
        }
        do {
            return try DeltaAction.decodeCommit(bytes, version: version)
        } catch let error as LakehouseError where error.code == .corruptLog {
            // Name the file: an operator has to find it to inspect or restore it.
            throw LakehouseError(.corruptLog, "\(commitKey(version)): \(error.message)")
        }
    }

    /// The latest snapshot, reading only the commits newer than the cached one; a handle
    /// without one starts from the checkpoint `_last_checkpoint` names, or else the newest
    /// listed checkpoint, or else version 0.
    public func latestSnapshot() async throws -> DeltaSnapshot {
        if cached == nil, let fromHint = await snapshotFromLastCheckpoint() {
            cached = fromHint
        }
        if let cached {
            let snapshot = try await probeForward(from: cached, upTo: nil)
            self.cached = snapshot
            return snapshot
        }
        let log = try await listLog()
        guard let last = log.commits.last else {
            throw LakehouseError(.tableNotFound, "no Delta log at '\(logPrefix)'")
        }
        let snapshot = try await snapshot(upTo: last.version, log: log, base: nil)
        cached = snapshot
        return snapshot
    }

    /// `base` with the commits after it applied, found by probing the next versions instead
    /// of listing the whole log: a long-lived handle then costs one request per new commit,
    /// however long the log has grown. Stops after `limit` when given.
    private func probeForward(from base: DeltaSnapshot, upTo limit: Int64?) async throws -> DeltaSnapshot {
        var newer: [(version: Int64, timestampMillis: Int64)] = []
        while limit.map({ base.version + Int64(newer.count) < $0 }) ?? true,
              let meta = try await store.head(commitKey(base.version + Int64(newer.count) + 1)) {
            newer.append((base.version + Int64(newer.count) + 1, meta.lastModifiedMillis))
        }
        if newer.isEmpty { return base }
        return try await replay(newer, upTo: newer[newer.count - 1].version, from: base)
    }

    /// The snapshot at the checkpoint `_last_checkpoint` points to; nil (and a log line) when
    /// the pointer is missing, unreadable, or its checkpoint cannot be loaded.
    private func snapshotFromLastCheckpoint() async -> DeltaSnapshot? {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(lastCheckpointKey)
        } catch {
            return nil
        }
        guard let hint = LastCheckpoint(json: bytes) else {
            logger.warning("ignoring unreadable _last_checkpoint", metadata: ["table": "\(root)"])
            return nil
        }
        do {
            let time = try await store.head(commitKey(hint.version))?.lastModifiedMillis
            return try await loadCheckpoint(hint.version, timestampMillis: time)
        } catch {
            logger.warning("ignoring checkpoint named by _last_checkpoint", metadata: [
                "table": "\(root)", "version": "\(hint.version)", "error": "\(error)"])
            return nil
        }
    }

    /// The snapshot a checkpoint file records; the version's commit time is `timestampMillis`
    /// (the JSON commit's modification time) or else the checkpoint's own.
    private func loadCheckpoint(_ version: Int64, timestampMillis: Int64?) async throws -> DeltaSnapshot {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(checkpointKey(version))
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.versionNotFound, "checkpoint \(version) is missing from \(logPrefix)")
        }
        var time = timestampMillis
        if time == nil { time = try await store.head(checkpointKey(version))?.lastModifiedMillis }
        let actions = try DeltaCheckpoint.decode(bytes, version: version)
        return try DeltaSnapshot(checkpoint: actions, version: version, timestampMillis: time ?? 0)
    }

    /// The snapshot at `version` from the best start available: `base` (a snapshot at or
    /// before it), or the newest loadable checkpoint at or before it if newer, then JSON.
    private func snapshot(upTo version: Int64, log: LogListing, base: DeltaSnapshot?) async throws -> DeltaSnapshot {
        var start = base
        var attempts = 0
        for checkpoint in log.checkpoints.reversed() where checkpoint.version <= version {
            guard checkpoint.version > (start?.version ?? -1), attempts < Self.checkpointAttempts else { break }
            attempts += 1
            do {
                let time = log.commits.first { $0.version == checkpoint.version }?.timestampMillis ?? checkpoint.timestampMillis
                start = try await loadCheckpoint(checkpoint.version, timestampMillis: time)
                break
            } catch {
                logger.warning("skipping unusable checkpoint", metadata: [
                    "table": "\(root)", "version": "\(checkpoint.version)", "error": "\(error)"])
            }
        }
        if let start, start.version == version { return start }
        return try await replay(log.commits, upTo: version, from: start)
    }

    /// The snapshot at exactly `version` (time travel): from the newest checkpoint at or
    /// before it (or the cached snapshot), replaying the JSON commits up to it.
    public func snapshot(version: Int64) async throws -> DeltaSnapshot {
        let log = try await listLog()
        guard log.commits.contains(where: { $0.version == version }) || log.checkpoints.contains(where: { $0.version == version }) else {
            throw LakehouseError(.versionNotFound, "version \(version) is not in the log (have \(log.commits.first?.version ?? -1)...\(log.commits.last?.version ?? -1))")
        }
        let base = cached.flatMap { $0.version <= version ? $0 : nil }
        return try await snapshot(upTo: version, log: log, base: base)
    }

    /// The snapshot of the latest version committed at or before `millis` (time travel by
    /// timestamp, using log file modification times as the protocol defines commit time).
    public func snapshot(asOfMillis millis: Int64) async throws -> DeltaSnapshot {
        let listed = try await listCommits()
        guard let chosen = listed.last(where: { $0.timestampMillis <= millis }) else {
            throw LakehouseError(.versionNotFound, "no version committed at or before \(DeltaTimestamp.isoString(millis: millis))")
        }
        return try await snapshot(version: chosen.version)
    }

    private func replay(_ listed: [(version: Int64, timestampMillis: Int64)], upTo version: Int64,
                        from base: DeltaSnapshot?) async throws -> DeltaSnapshot {
        let needed = listed.filter { $0.version > (base?.version ?? -1) && $0.version <= version }
        if base == nil, needed.first?.version != 0 {
            throw LakehouseError(.versionNotFound,
                "commit 0 is gone (log cleaned up) and no usable checkpoint at or before version \(version) was found")
        }
        var commits: [(version: Int64, timestampMillis: Int64, actions: [DeltaAction])] = []
        commits.reserveCapacity(needed.count)
        // Fetch in parallel: on S3 each commit is a round trip.
        try await withThrowingTaskGroup(of: (Int, [DeltaAction]).self) { group in
            var next = 0
            var results = [[DeltaAction]?](repeating: nil, count: needed.count)
            func launch(_ i: Int) {
                let v = needed[i].version
                group.addTask { (i, try await self.readCommit(v)) }
            }
            while next < min(16, needed.count) { launch(next); next += 1 }
            while let (i, actions) = try await group.next() {
                results[i] = actions
                if next < needed.count { launch(next); next += 1 }
            }
            for (i, entry) in needed.enumerated() {
                commits.append((entry.version, entry.timestampMillis, results[i] ?? []))
            }
        }
        if let base { return try base.applying(commits) }
        return try DeltaSnapshot(commits: commits)
    }

    // MARK: - Writing

    /// Creates the table (version 0: protocol + metaData) unless it exists; returns whether
    /// this call created it. Two processes creating at once: one wins, both succeed.
    @discardableResult
    public func create(schema: DeltaSchema, partitionColumns: [String], name: String? = nil,
                       configuration: [String: String] = [:]) async throws -> Bool {
        if try await exists() { return false }
        let now = currentMillis()
        let metadata = DeltaMetadata(
            id: UUID().uuidString.lowercased(), name: name, schemaString: try schema.jsonString(),
            partitionColumns: partitionColumns, createdTime: now, configuration: configuration)
        let actions: [DeltaAction] = [
            .commitInfo(Self.commitInfo(operation: "CREATE TABLE", parameters: [
                "partitionBy": .string(Self.jsonArrayString(partitionColumns)), "mode": .string("ErrorIfExists"),
            ], readVersion: nil, blindAppend: false, at: now)),
            .protocol(.cryptoViz),
            .metadata(metadata),
        ]
        let created = try await store.putIfAbsent(commitKey(0), try DeltaAction.encodeCommit(actions))
        if created { logger.info("created Delta table", metadata: ["table": "\(root)"]) }
        return created
    }

    /// What a commit contains besides its actions, and how it reacts to concurrent winners.
    public struct CommitRequest: Sendable {
        public var actions: [DeltaAction]
        public var operation: String
        public var parameters: [String: JSONValue]
        /// The version the actions were computed from.
        public var readVersion: Int64

        /// A commit of `actions` computed from `readVersion`; `operation` goes into commitInfo.
        public init(actions: [DeltaAction], operation: String, parameters: [String: JSONValue] = [:], readVersion: Int64) {
            self.actions = actions
            self.operation = operation
            self.parameters = parameters
            self.readVersion = readVersion
        }
    }

    /// Commits the actions as the next version and returns it.
    ///
    /// On losing a race the winning commits are checked (Delta "Optimistic Concurrency
    /// Control"): a winner that removed a file this commit also removes, committed a `txn`
    /// for one of this commit's applications, or changed protocol/metadata is a conflict
    /// (`.concurrentModification`, nothing written); anything else (blind appends) is not,
    /// and the commit retries at the next version.
    @discardableResult
    public func commit(_ request: CommitRequest) async throws -> Int64 {
        let myRemoves = Set(request.actions.compactMap { if case .remove(let r) = $0 { r.relativeKey } else { nil } })
        let myApps = Set(request.actions.compactMap { if case .txn(let t) = $0 { t.appId } else { nil } })
        let blindAppend = myRemoves.isEmpty && request.actions.allSatisfy {
            if case .add(let a) = $0 { return a.dataChange }
            if case .txn = $0 { return true }
            return false
        }
        var version = request.readVersion + 1
        for attempt in 1...max(1, maxCommitAttempts) {
            let now = currentMillis()
            let info = Self.commitInfo(operation: request.operation, parameters: request.parameters,
                                       readVersion: request.readVersion, blindAppend: blindAppend, at: now)
            let bytes = try DeltaAction.encodeCommit([.commitInfo(info)] + request.actions)
            if try await store.putIfAbsent(commitKey(version), bytes) {
                logger.debug("committed", metadata: ["version": "\(version)", "operation": "\(request.operation)", "attempt": "\(attempt)"])
                await checkpointIfDue(version)
                return version
            }
            // Check every commit that landed since the read version, not just the one that
            // beat us, then retry right after the newest: attempts count lost races only.
            repeat {
                try Self.checkConflicts(try await readCommit(version), version: version, request: request,
                                        removes: myRemoves, apps: myApps)
                version += 1
            } while try await store.head(commitKey(version)) != nil
        }
        throw LakehouseError(.commitRetriesExhausted, "\(request.operation) lost \(maxCommitAttempts) commit races")
    }

    // MARK: - Checkpoints

    /// Writes the checkpoint of `version` when it is due (or an earlier one failed). Never
    /// throws: a failure is logged and retried after the next commit.
    private func checkpointIfDue(_ version: Int64) async {
        let configured = cached?.metadata.configuration["delta.checkpointInterval"].flatMap { Int64($0) }
        let interval = configured ?? checkpointInterval
        guard interval > 0, version % interval == 0 || checkpointPending else { return }
        do {
            try await writeCheckpoint(version: version)
            checkpointPending = false
        } catch {
            checkpointPending = true
            logger.warning("checkpoint failed; retrying after the next commit", metadata: [
                "table": "\(root)", "version": "\(version)", "error": "\(error)"])
        }
    }

    /// Writes the checkpoint of `version` and, unless it already names a newer one,
    /// `_last_checkpoint`. Idempotent: writers checkpointing the same version write the same
    /// state, and a stale `_last_checkpoint` only makes readers replay more JSON.
    @discardableResult
    public func writeCheckpoint(version: Int64) async throws -> LastCheckpoint {
        let snapshot = try await snapshotForCheckpoint(version)
        let retention = Self.tombstoneRetentionMillis(snapshot.metadata.configuration)
        let encoded = try DeltaCheckpoint.encode(snapshot, tombstoneCutoffMillis: currentMillis() - retention)
        try await store.put(checkpointKey(version), encoded.bytes)
        let pointer = LastCheckpoint(version: version, size: Int64(encoded.actions), sizeInBytes: Int64(encoded.bytes.count),
                                     numOfAddFiles: Int64(encoded.adds))
        let current = (try? await store.get(lastCheckpointKey)).flatMap { LastCheckpoint(json: $0) }
        if (current?.version ?? -1) < version {
            try await store.put(lastCheckpointKey, try pointer.json())
        }
        logger.debug("checkpoint written", metadata: ["version": "\(version)", "actions": "\(encoded.actions)"])
        return pointer
    }

    /// The snapshot at `version`, advanced from the cached one when it is older (the usual
    /// case right after this handle's own commit), else by time travel.
    private func snapshotForCheckpoint(_ version: Int64) async throws -> DeltaSnapshot {
        if let cached, cached.version <= version {
            let advanced = try await probeForward(from: cached, upTo: version)
            if advanced.version == version {
                self.cached = advanced
                return advanced
            }
        }
        return try await snapshot(version: version)
    }

    /// `delta.deletedFileRetentionDuration` ("interval 1 week", "interval 168 hours", ...)
    /// in ms, or the one-week default when absent or unparseable.
    static func tombstoneRetentionMillis(_ configuration: [String: String]) -> Int64 {
        guard let text = configuration["delta.deletedFileRetentionDuration"] else { return defaultTombstoneRetentionMillis }
        let parts = text.lowercased().split(separator: " ")
        guard parts.count == 3, parts[0] == "interval", let n = Int64(parts[1]), n >= 0 else { return defaultTombstoneRetentionMillis }
        let unit = parts[2].hasSuffix("s") ? String(parts[2].dropLast()) : String(parts[2])
        let scale: Int64? = switch unit {
        case "millisecond": 1
        case "second": 1000
        case "minute": 60_000
        case "hour": 3_600_000
        case "day": 86_400_000
        case "week": 604_800_000
        default: nil
        }
        guard let scale else { return defaultTombstoneRetentionMillis }
        let (ms, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? defaultTombstoneRetentionMillis : ms
    }

    private static func checkConflicts(_ winner: [DeltaAction], version: Int64, request: CommitRequest,
                                       removes: Set<String>, apps: Set<String>) throws {
        for action in winner {
            switch action {
            case .remove(let r) where removes.contains(r.relativeKey):
                throw LakehouseError(.concurrentModification,
                    "version \(version) removed '\(r.path)', which this \(request.operation) also removes")
            case .txn(let t) where apps.contains(t.appId):
                throw LakehouseError(.concurrentModification,
                    "version \(version) committed txn \(t.appId)=\(t.version) concurrently; re-read the transaction version")
            case .protocol, .metadata:
                throw LakehouseError(.concurrentModification, "version \(version) changed the table protocol or metadata")
            default:
                break
            }
        }
    }

    static func commitInfo(operation: String, parameters: [String: JSONValue], readVersion: Int64?,
                           blindAppend: Bool, at millis: Int64) -> [String: JSONValue] {
        var info: [String: JSONValue] = [
            "timestamp": .int(millis),
            "operation": .string(operation),
            "operationParameters": .object(parameters),
            "isBlindAppend": .bool(blindAppend),
            "clientVersion": .string("cryptoviz-lakehouse-0.1"),
        ]
        if let readVersion, readVersion >= 0 { info["readVersion"] = .int(readVersion) }
        return info
    }

    static func jsonArrayString(_ items: [String]) -> String {
        let data = (try? JSONEncoder().encode(items)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Vacuum

    /// Deletes data files no version within `retentionMillis` needs: files neither active now
    /// nor removed less than the retention ago, and themselves older than the retention
    /// (so files of a writer that has not committed yet survive). Returns the keys deleted
    /// (or, with `dryRun`, the keys that would be). Files and folders whose names start with
    /// `_` or `.` (the log, checkpoints) are never touched.
    public func vacuum(retentionMillis: Int64, dryRun: Bool, now: Int64? = nil) async throws -> [ObjectKey] {
        let snapshot = try await latestSnapshot()
        let cutoff = (now ?? currentMillis()) - retentionMillis
        var keep = Set(snapshot.activeFiles.keys)
        for (key, tomb) in snapshot.tombstones where (tomb.deletionTimestamp ?? Int64.max) > cutoff {
            keep.insert(key)
        }
        var doomed: [ObjectKey] = []
        for object in try await store.listAll(prefix: root) {
            let relative = String(object.key.rawValue.dropFirst(root.count))
            if relative.split(separator: "/").contains(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) { continue }
            if keep.contains(relative) || object.lastModifiedMillis > cutoff { continue }
            doomed.append(object.key)
        }
        if !dryRun && !doomed.isEmpty {
            for chunk in stride(from: 0, to: doomed.count, by: 1000) {
                try await store.delete(Array(doomed[chunk..<min(chunk + 1000, doomed.count)]))
            }
            logger.info("vacuum deleted files", metadata: ["count": "\(doomed.count)"])
        }
        return doomed
    }
}

func currentMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded())
}
