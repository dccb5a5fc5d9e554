/// The `remove` action: a data file that is no longer part of the table (a tombstone, kept
/// so that vacuum knows when the file may be deleted). Delta PROTOCOL.md, "Add File and Remove File".
public struct RemoveFile: Sendable, Hashable, Codable {
    public var path: String
    /// Unix ms of the deletion; vacuum keeps the file until this is older than the retention.
    public var deletionTimestamp: Int64?
    public var dataChange: Bool
    /// True when partitionValues and size are given (lets readers of old versions skip the add).
    public var extendedFileMetadata: Bool?
    public var partitionValues: [String: String?]?
    public var size: Int64?

    /// A tombstone with explicit fields (see `init(removing:at:dataChange:)` for the usual case).
    public init(path: String, deletionTimestamp: Int64?, dataChange: Bool, extendedFileMetadata: Bool? = nil,
                partitionValues: [String: String?]? = nil, size: Int64? = nil) {
        self.path = path
        self.deletionTimestamp = deletionTimestamp
        self.dataChange = dataChange
        self.extendedFileMetadata = extendedFileMetadata
        self.partitionValues = partitionValues
        self.size = size
    }

    /// The tombstone for an active file, with the extended metadata Delta recommends.
    public init(removing add: AddFile, at millis: Int64, dataChange: Bool) {
        self.init(path: add.path, deletionTimestamp: millis, dataChange: dataChange, extendedFileMetadata: true,
                  partitionValues: add.partitionValues, size: add.size)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        deletionTimestamp = try c.decodeIfPresent(Int64.self, forKey: .deletionTimestamp)
        dataChange = try c.decodeIfPresent(Bool.self, forKey: .dataChange) ?? true
        extendedFileMetadata = try c.decodeIfPresent(Bool.self, forKey: .extendedFileMetadata)
        partitionValues = try c.decodeIfPresent([String: String?].self, forKey: .partitionValues)
        size = try c.decodeIfPresent(Int64.self, forKey: .size)
    }

    /// The file's object key relative to the table root.
    public var relativeKey: String { DeltaPath.decode(path) }
}
