/// The lake table as of its current version: size, partitions and files.
public struct LakeInfoDTO: Sendable, Codable, Hashable {
    /// Where the table lives (a local path or s3:// URI without credentials).
    public var location: String
    public var version: Int64
    public var fileCount: Int
    public var sizeBytes: Int64
    public var recordCount: Int64?
    public var partitions: [LakePartitionDTO]
    /// Data files, at most 1000; `filesTruncated` says when more exist.
    public var files: [LakeFileDTO]
    public var filesTruncated: Bool
    /// The maintenance schedule of the process serving this, when it is the one maintaining the
    /// lake (`up`); nil for a server that only reads it.
    public var maintenance: MaintenanceDTO? = nil

    public init(
        location: String, version: Int64, fileCount: Int, sizeBytes: Int64, recordCount: Int64?,
        partitions: [LakePartitionDTO], files: [LakeFileDTO], filesTruncated: Bool
    ) {
        self.location = location
        self.version = version
        self.fileCount = fileCount
        self.sizeBytes = sizeBytes
        self.recordCount = recordCount
        self.partitions = partitions
        self.files = files
        self.filesTruncated = filesTruncated
    }
}

/// One Hive-style partition folder ("date=2026-11-26/source=binance").
public struct LakePartitionDTO: Sendable, Codable, Hashable {
    public var path: String
    /// Partition column values, e.g. ["date": "2026-11-26", "source": "binance"].
    public var values: [String: String]
    public var fileCount: Int
    public var sizeBytes: Int64
    public var recordCount: Int64?

    public init(path: String, values: [String: String], fileCount: Int, sizeBytes: Int64, recordCount: Int64?) {
        self.path = path
        self.values = values
        self.fileCount = fileCount
        self.sizeBytes = sizeBytes
        self.recordCount = recordCount
    }
}

/// One data file of the current version.
public struct LakeFileDTO: Sendable, Codable, Hashable {
    public var path: String
    public var partition: String
    public var sizeBytes: Int64
    public var recordCount: Int64?
    public var modificationTimeMs: Int64

    public init(path: String, partition: String, sizeBytes: Int64, recordCount: Int64?, modificationTimeMs: Int64) {
        self.path = path
        self.partition = partition
        self.sizeBytes = sizeBytes
        self.recordCount = recordCount
        self.modificationTimeMs = modificationTimeMs
    }
}

/// The lake's automatic maintenance: how often it compacts and vacuums, and what it last did.
public struct MaintenanceDTO: Sendable, Codable, Hashable {
    public var compactEverySeconds: Double
    public var compactMinFiles: Int
    /// Nil: no automatic vacuum.
    public var vacuumEverySeconds: Double?
    public var vacuumRetentionHours: Double
    public var nextCompactionMs: Int64?
    public var nextVacuumMs: Int64?
    /// Newest first, at most 10 each.
    public var compactions: [MaintenanceRunDTO]
    public var vacuums: [MaintenanceRunDTO]
    public var lastError: String?

    public init(compactEverySeconds: Double, compactMinFiles: Int, vacuumEverySeconds: Double?, vacuumRetentionHours: Double,
                nextCompactionMs: Int64?, nextVacuumMs: Int64?, compactions: [MaintenanceRunDTO], vacuums: [MaintenanceRunDTO],
                lastError: String?) {
        self.compactEverySeconds = compactEverySeconds
        self.compactMinFiles = compactMinFiles
        self.vacuumEverySeconds = vacuumEverySeconds
        self.vacuumRetentionHours = vacuumRetentionHours
        self.nextCompactionMs = nextCompactionMs
        self.nextVacuumMs = nextVacuumMs
        self.compactions = compactions
        self.vacuums = vacuums
        self.lastError = lastError
    }
}

/// One table's scheduled compaction or vacuum.
public struct MaintenanceRunDTO: Sendable, Codable, Hashable {
    public var table: String
    public var atMs: Int64
    /// The version a compaction committed; nil when it found nothing to rewrite, and for vacuums.
    public var version: Int64?
    public var filesRemoved: Int
    public var filesAdded: Int

    public init(table: String, atMs: Int64, version: Int64?, filesRemoved: Int, filesAdded: Int) {
        self.table = table
        self.atMs = atMs
        self.version = version
        self.filesRemoved = filesRemoved
        self.filesAdded = filesAdded
    }
}
