/// A flat namespace of immutable byte objects: local disk, S3, MinIO.
///
/// The lake needs exactly these operations; `putIfAbsent` is what makes Delta commits atomic
/// (two writers racing for the same log version: exactly one wins).
public protocol ObjectStore: Sendable {
    /// The whole object, or the bytes in `range` (half-open, clamped to the object's size).
    /// Throws `ObjectStoreError` with code `.notFound` when there is no such object.
    func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8]
    /// Size and time of an object, or nil when there is none.
    func head(_ key: ObjectKey) async throws -> ObjectMetadata?
    /// Writes (or replaces) an object atomically: readers see the old or the new bytes, never a mix.
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws
    /// Writes only if no object exists at `key`; returns false, writing nothing, if one does.
    func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool
    /// One page of the keys under `prefix`, in lexicographic order. With a delimiter, keys
    /// sharing the next path segment are folded into `commonPrefixes`.
    func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing
    /// Deletes the objects; keys that do not exist are not an error.
    func delete(_ keys: [ObjectKey]) async throws
}

/// A key in an object store: a `/`-separated relative path with no leading slash.
public struct ObjectKey: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.rawValue < rhs.rawValue }
}

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

/// One page of a listing.
public struct ObjectListing: Sendable {
    public var objects: [ObjectMetadata]
    public var commonPrefixes: [String]
    /// Pass back to `list` for the next page; nil on the last page.
    public var continuationToken: String?

    public init(objects: [ObjectMetadata], commonPrefixes: [String] = [], continuationToken: String? = nil) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.continuationToken = continuationToken
    }
}

/// A failed store operation, with the key and the store's own words.
public struct ObjectStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound, accessDenied, invalidKey, preconditionFailed, throttled, io, http, malformedResponse, configuration
    }

    public var code: Code
    public var key: ObjectKey?
    public var message: String

    public init(_ code: Code, key: ObjectKey? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "object store \(code.rawValue) for '\(key)': \(message)" }
        return "object store \(code.rawValue): \(message)"
    }
}

extension ObjectStore {
    /// Every object under `prefix`, following continuation tokens.
    public func listAll(prefix: String) async throws -> [ObjectMetadata] {
        var result: [ObjectMetadata] = []
        var token: String?
        repeat {
            let page = try await list(prefix: prefix, delimiter: nil, continuationToken: token, maxKeys: 1000)
            result.append(contentsOf: page.objects)
            token = page.continuationToken
        } while token != nil
        return result
    }

    /// The whole object.
    public func get(_ key: ObjectKey) async throws -> [UInt8] {
        try await get(key, range: nil)
    }
}
