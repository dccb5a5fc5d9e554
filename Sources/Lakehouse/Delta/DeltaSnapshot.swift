/// The state of a Delta table at one version: protocol, metadata, the active data files and
/// the last `txn` version per application (Delta PROTOCOL.md, "Action Reconciliation").
///
/// Immutable; a newer snapshot is derived by applying later commits (`applying(_:)`), so a
/// long-lived table handle re-reads only the commits it has not seen.
public struct DeltaSnapshot: Sendable {
    /// The table version this snapshot reflects.
    public private(set) var version: Int64
    /// When that version was committed (log file modification time, Unix ms).
    public private(set) var timestampMillis: Int64
    public private(set) var protocolAction: DeltaProtocol
    public private(set) var metadata: DeltaMetadata
    public private(set) var schema: DeltaSchema
    /// Active files keyed by their decoded relative path.
    public private(set) var activeFiles: [String: AddFile]
    /// Tombstones keyed by decoded relative path (the latest remove of each file).
    public private(set) var tombstones: [String: RemoveFile]
    public private(set) var transactions: [String: TransactionAction]
    /// Commit time of every version replayed so far (for time travel by timestamp).
    public private(set) var commitTimestamps: [Int64: Int64]

    /// Replays commits `0...n` (which must start at version 0, contiguous).
    init(commits: [(version: Int64, timestampMillis: Int64, actions: [DeltaAction])]) throws {
        guard let first = commits.first, first.version == 0 else {
            throw LakehouseError(.tableNotFound, "the log has no version 0 commit")
        }
        self = try DeltaSnapshot(before: 0, timestampMillis: first.timestampMillis, defining: first.actions,
                                 missing: "version 0 has no protocol or metaData action")
        self = try applying(commits)
    }

    /// The empty state just before `version`, with the protocol and metadata that `actions`
    /// define; the caller then applies the actions.
    private init(before version: Int64, timestampMillis: Int64, defining actions: [DeltaAction], missing: String) throws {
        var protocolAction: DeltaProtocol?
        var metadata: DeltaMetadata?
        for action in actions {
            if case .protocol(let p) = action { protocolAction = p }
            if case .metadata(let m) = action { metadata = m }
        }
        guard let protocolAction, let metadata else { throw LakehouseError(.corruptLog, missing) }
        self.version = version - 1
        self.timestampMillis = timestampMillis
        self.protocolAction = protocolAction
        self.metadata = metadata
        self.schema = try metadata.schema()
        self.activeFiles = [:]
        self.tombstones = [:]
        self.transactions = [:]
        self.commitTimestamps = [:]
    }

    /// The state a checkpoint of `version` records (Delta PROTOCOL.md, "Checkpoints"): its
    /// actions are already reconciled, so they are applied as if one commit.
    init(checkpoint actions: [DeltaAction], version: Int64, timestampMillis: Int64) throws {
        self = try DeltaSnapshot(before: version, timestampMillis: timestampMillis, defining: actions,
                                 missing: "checkpoint \(version) has no protocol or metaData action")
        self = try applying([(version, timestampMillis, actions)])
    }

    /// This snapshot with later commits applied; they must continue the version sequence.
    public func applying(_ commits: [(version: Int64, timestampMillis: Int64, actions: [DeltaAction])]) throws -> DeltaSnapshot {
        var next = self
        for commit in commits {
            guard commit.version == next.version + 1 else {
                throw LakehouseError(.corruptLog, "log gap: version \(commit.version) follows \(next.version)")
            }
            for action in commit.actions {
                switch action {
                case .protocol(let p):
                    try p.checkReadable()
                    next.protocolAction = p
                case .metadata(let m):
                    next.schema = try m.schema()
                    next.metadata = m
                case .add(let a):
                    let key = a.relativeKey
                    next.activeFiles[key] = a
                    next.tombstones[key] = nil
                case .remove(let r):
                    let key = r.relativeKey
                    next.activeFiles[key] = nil
                    next.tombstones[key] = r
                case .txn(let t):
                    next.transactions[t.appId] = t
                case .commitInfo, .unknown:
                    break
                }
            }
            next.version = commit.version
            next.timestampMillis = commit.timestampMillis
            next.commitTimestamps[commit.version] = commit.timestampMillis
        }
        try next.protocolAction.checkReadable()
        return next
    }

    /// The active files sorted by path (a stable order for scans and tests).
    public var files: [AddFile] {
        activeFiles.keys.sorted().compactMap { activeFiles[$0] }
    }

    /// The last version committed by `appId`, or nil if it never committed.
    public func transactionVersion(_ appId: String) -> Int64? {
        transactions[appId]?.version
    }

    /// The partition columns, in table order.
    public var partitionColumns: [String] { metadata.partitionColumns }
}
