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
