/// What a store knows about one object without reading it.
public struct ObjectMetadata: Sendable, Hashable {
    public var key: ObjectKey
    public var size: Int
    /// Last modification time, Unix milliseconds.
    public var lastModifiedMillis: Int64
    public var eTag: String?

    public init(key: ObjectKey, size: Int, lastModifiedMillis: Int64, eTag: String? = nil) {
        self.key = key
        self.size = size
        self.lastModifiedMillis = lastModifiedMillis
        self.eTag = eTag
    }
}
