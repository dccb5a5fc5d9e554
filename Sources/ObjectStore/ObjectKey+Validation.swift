extension ObjectKey {
    /// The longest key accepted, in UTF-8 bytes (S3's own limit).
    public static let maximumLength = 1024

    /// Throws `.invalidKey` unless this key is a relative `/`-separated path that every store
    /// can hold: not empty, no leading `/`, no empty, `.` or `..` segments, no NUL byte,
    /// at most `maximumLength` bytes.
    ///
    /// Stores reject such keys rather than normalizing them, so that one key never names two
    /// objects and a key never escapes a local store's root directory.
    public func validate() throws {
        let utf8 = rawValue.utf8
        guard !utf8.isEmpty else { throw ObjectStoreError(.invalidKey, key: self, "the key is empty") }
        guard utf8.count <= Self.maximumLength else {
            throw ObjectStoreError(.invalidKey, key: self, "the key is longer than \(Self.maximumLength) bytes")
        }
        guard !utf8.contains(0) else { throw ObjectStoreError(.invalidKey, key: self, "the key contains a NUL byte") }
        guard utf8.first != UInt8(ascii: "/") else {
            throw ObjectStoreError(.invalidKey, key: self, "the key is an absolute path")
        }
        for segment in rawValue.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "": throw ObjectStoreError(.invalidKey, key: self, "the key has an empty path segment")
            case ".", "..": throw ObjectStoreError(.invalidKey, key: self, "the key has a '\(segment)' path segment")
            default: continue
            }
        }
    }

    /// The path segments of the key (`a/b/c` → `a`, `b`, `c`).
    public var segments: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }
}
