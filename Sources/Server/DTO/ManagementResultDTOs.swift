/// What a compaction did; `version` is nil when nothing needed rewriting (no commit).
public struct CompactionResultDTO: Sendable, Codable, Hashable {
    public var version: Int64?
    public var filesRemoved: Int
    public var filesAdded: Int
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    public var durationMs: Int64

    public init(version: Int64?, filesRemoved: Int, filesAdded: Int, bytesBefore: Int64, bytesAfter: Int64, durationMs: Int64) {
        self.version = version
        self.filesRemoved = filesRemoved
        self.filesAdded = filesAdded
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.durationMs = durationMs
    }
}

/// What a vacuum deleted (or, with `dryRun`, would delete). Vacuum does not add a version.
public struct VacuumResultDTO: Sendable, Codable, Hashable {
    public var dryRun: Bool
    public var files: [String]
    public var bytes: Int64

    public init(dryRun: Bool, files: [String], bytes: Int64) {
        self.dryRun = dryRun
        self.files = files
        self.bytes = bytes
    }
}

/// What a retention pass removed; `version` is nil when nothing was old enough (no commit).
public struct RetentionResultDTO: Sendable, Codable, Hashable {
    public var days: Int
    /// Ticks with a source time before this (Unix ms) were removed.
    public var cutoffMs: Int64
    public var version: Int64?
    public var filesRemoved: Int
    public var recordsRemoved: Int64?

    public init(days: Int, cutoffMs: Int64, version: Int64?, filesRemoved: Int, recordsRemoved: Int64?) {
        self.days = days
        self.cutoffMs = cutoffMs
        self.version = version
        self.filesRemoved = filesRemoved
        self.recordsRemoved = recordsRemoved
    }
}
