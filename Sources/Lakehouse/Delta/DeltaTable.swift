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
public actor DeltaTable {
    /// Where the table lives in the store: "" or a prefix ending in "/".
    public nonisolated let root: String
    public nonisolated let store: any ObjectStore
    private let logger: Logger
    private var cached: DeltaSnapshot?
    /// How many versions a commit may lose before giving up.
    public var maxCommitAttempts = 200

    /// A handle on the table at `root` (nothing is read until a snapshot is asked for).
    public init(store: any ObjectStore, root: String = "", logger: Logger) {
        self.store = store
        self.root = root.isEmpty || root.hasSuffix("/") ? root : root + "/"
        self.logger = logger
    }

    var logPrefix: String { root + "_delta_log/" }

    /// The object key of commit `version`: 20-digit zero-padded (Delta PROTOCOL.md, "Delta Log Entries").
    public nonisolated func commitKey(_ version: Int64) -> ObjectKey {
        ObjectKey(root + "_delta_log/" + String(version).leftPadded(to: 20) + ".json")
    }

    /// The object key of a data file given its decoded table-relative path.
    public nonisolated func dataKey(_ relativePath: String) -> ObjectKey {
        ObjectKey(root + relativePath)
    }

    // MARK: - Reading the log

    /// Versions present in the log with their commit times, ascending.
    func listCommits() async throws -> [(version: Int64, timestampMillis: Int64)] {
        var result: [(Int64, Int64)] = []
        for object in try await store.listAll(prefix: logPrefix) {
            let name = object.key.rawValue.dropFirst(logPrefix.count)
            guard name.count == 25, name.hasSuffix(".json"), let v = Int64(name.prefix(20)) else { continue }
            result.append((v, object.lastModifiedMillis))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// True when the table has at least its first commit.
    public func exists() async throws -> Bool {
        try await store.head(commitKey(0)) != nil
    }

    private func readCommit(_ version: Int64) async throws -> [DeltaAction] {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(commitKey(version))
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.versionNotFound, "commit \(version) is missing from \(logPrefix)")
        }
        return try DeltaAction.decodeCommit(bytes, version: version)
    }

    /// The latest snapshot, reading only the commits newer than the cached one.
    public func latestSnapshot() async throws -> DeltaSnapshot {
        if let cached {
            // Probe the next versions instead of listing the whole log: a long-lived writer
            // then costs one request per new commit, however long the log has grown.
            var newer: [(version: Int64, timestampMillis: Int64)] = []
            while let meta = try await store.head(commitKey(cached.version + Int64(newer.count) + 1)) {
                newer.append((cached.version + Int64(newer.count) + 1, meta.lastModifiedMillis))
            }
            if newer.isEmpty { return cached }
            let snapshot = try await replay(newer, upTo: newer[newer.count - 1].version, from: cached)
            self.cached = snapshot
            return snapshot
        }
        let listed = try await listCommits()
        guard let last = listed.last else {
            throw LakehouseError(.tableNotFound, "no Delta log at '\(logPrefix)'")
        }
        if let cached, cached.version == last.version { return cached }
        let snapshot = try await replay(listed, upTo: last.version, from: cached)
        cached = snapshot
        return snapshot
    }

    /// The snapshot at exactly `version` (time travel).
    public func snapshot(version: Int64) async throws -> DeltaSnapshot {
        let listed = try await listCommits()
        guard listed.contains(where: { $0.version == version }) else {
            throw LakehouseError(.versionNotFound, "version \(version) is not in the log (have \(listed.first?.version ?? -1)...\(listed.last?.version ?? -1))")
        }
        let base = cached.flatMap { $0.version <= version ? $0 : nil }
        return try await replay(listed, upTo: version, from: base)
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
            throw LakehouseError(.unsupportedProtocol,
                "commit 0 is gone (log cleaned up after a checkpoint); reading Parquet checkpoints is not supported yet")
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
