import Foundation

/// The `_delta_log/_last_checkpoint` pointer: the version (and size) of the newest checkpoint,
/// so a reader finds it without listing the log (Delta PROTOCOL.md, "Last Checkpoint File").
/// It may be stale or missing; readers must not rely on it for correctness.
public struct LastCheckpoint: Sendable, Hashable, Codable {
    /// The version the checkpoint records.
    public var version: Int64
    /// Number of actions (rows) in the checkpoint.
    public var size: Int64
    /// The checkpoint file's size.
    public var sizeInBytes: Int64?
    /// Active files (add actions) in the checkpoint.
    public var numOfAddFiles: Int64?

    /// A pointer to the checkpoint of `version`.
    public init(version: Int64, size: Int64, sizeInBytes: Int64? = nil, numOfAddFiles: Int64? = nil) {
        self.version = version
        self.size = size
        self.sizeInBytes = sizeInBytes
        self.numOfAddFiles = numOfAddFiles
    }

    /// Parses the file; nil when it is not the expected JSON (then the log is listed instead).
    public init?(json bytes: [UInt8]) {
        guard let parsed = try? JSONDecoder().decode(LastCheckpoint.self, from: Data(bytes)), parsed.version >= 0 else { return nil }
        self = parsed
    }

    /// The file's bytes: one compact JSON object.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }
}
