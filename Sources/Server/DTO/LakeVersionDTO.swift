/// One commit of the lake table (Delta log entry), for history and time travel.
public struct LakeVersionDTO: Sendable, Codable, Hashable {
    public var version: Int64
    public var timestampMs: Int64
    /// Delta `commitInfo.operation`: "WRITE", "STREAMING UPDATE", "OPTIMIZE", "DELETE", ...
    public var operation: String
    public var filesAdded: Int
    public var filesRemoved: Int
    public var recordsAdded: Int64?

    public init(version: Int64, timestampMs: Int64, operation: String, filesAdded: Int, filesRemoved: Int, recordsAdded: Int64?) {
        self.version = version
        self.timestampMs = timestampMs
        self.operation = operation
        self.filesAdded = filesAdded
        self.filesRemoved = filesRemoved
        self.recordsAdded = recordsAdded
    }
}
