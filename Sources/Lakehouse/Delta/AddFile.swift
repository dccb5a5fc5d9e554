/// The `add` action: a data file that is part of the table from this version on
/// (Delta PROTOCOL.md, "Add File and Remove File").
public struct AddFile: Sendable, Hashable, Codable {
    /// A relative (or absolute) URI of the file, percent-encoded as RFC 2396 requires.
    public var path: String
    /// Partition column name → serialized value (nil for a null partition value).
    public var partitionValues: [String: String?]
    /// File size in bytes.
    public var size: Int64
    /// Unix ms when the file was created.
    public var modificationTime: Int64
    /// False when the file only rearranges existing rows (compaction).
    public var dataChange: Bool
    /// Per-file statistics as a JSON string (see `FileStatistics`).
    public var stats: String?
    public var tags: [String: String]?

    /// An add action; `path` must already be percent-encoded (`DeltaPath.encode`).
    public init(path: String, partitionValues: [String: String?], size: Int64, modificationTime: Int64,
                dataChange: Bool, stats: String?, tags: [String: String]? = nil) {
        self.path = path
        self.partitionValues = partitionValues
        self.size = size
        self.modificationTime = modificationTime
        self.dataChange = dataChange
        self.stats = stats
        self.tags = tags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        partitionValues = try c.decodeIfPresent([String: String?].self, forKey: .partitionValues) ?? [:]
        size = try c.decode(Int64.self, forKey: .size)
        modificationTime = try c.decodeIfPresent(Int64.self, forKey: .modificationTime) ?? 0
        dataChange = try c.decodeIfPresent(Bool.self, forKey: .dataChange) ?? true
        stats = try c.decodeIfPresent(String.self, forKey: .stats)
        tags = try? c.decodeIfPresent([String: String].self, forKey: .tags)
    }

    /// The file's object key relative to the table root (the path with percent-escapes decoded).
    public var relativeKey: String { DeltaPath.decode(path) }

    /// The parsed statistics, or nil when the file has none or they are unreadable (a file
    /// without statistics is never pruned, so unreadable ones only cost speed).
    public func parsedStatistics() -> FileStatistics? {
        guard let stats else { return nil }
        return FileStatisticsCache.shared.statistics(path: path, text: stats)
    }
}
