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
