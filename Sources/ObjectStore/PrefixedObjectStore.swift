/// A view of another store in which every key lives under a fixed prefix, so that a table at
/// `s3://bucket/lake/trades` sees keys like `_delta_log/00000.json`.
///
/// Keys are validated before the prefix is added, so no key can reach outside the prefix;
/// listings strip the prefix again from keys and common prefixes.
public struct PrefixedObjectStore<Base: ObjectStore>: ObjectStore {
    public let base: Base
    /// Empty, or a valid key path ending in `/`.
    public let prefix: String

    /// Wraps `base`; `prefix` is normalized to end in `/` (an empty prefix is the base itself).
    public init(base: Base, prefix: String) throws {
        var normalized = prefix
        while normalized.hasSuffix("/") { normalized.removeLast() }
        if !normalized.isEmpty {
            try ObjectKey(normalized).validate()
            normalized += "/"
        }
        self.base = base
        self.prefix = normalized
    }

    private func inner(_ key: ObjectKey) throws -> ObjectKey {
        try key.validate()
        return ObjectKey(prefix + key.rawValue)
    }

    private func outer(_ key: String) -> String {
        key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
    }

    public func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] {
        do {
            return try await base.get(try inner(key), range: range)
        } catch var error as ObjectStoreError {
            error.key = key
            throw error
        }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata? {
        guard var metadata = try await base.head(try inner(key)) else { return nil }
        metadata.key = key
        return metadata
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws {
        try await base.put(try inner(key), bytes)
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool {
        try await base.putIfAbsent(try inner(key), bytes)
    }

    public func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        var listing = try await base.list(
            prefix: self.prefix + prefix, delimiter: delimiter, continuationToken: continuationToken, maxKeys: maxKeys)
        listing.objects = listing.objects.map { object in
            var object = object
            object.key = ObjectKey(outer(object.key.rawValue))
            return object
        }
        listing.commonPrefixes = listing.commonPrefixes.map(outer)
        return listing
    }

    public func delete(_ keys: [ObjectKey]) async throws {
        try await base.delete(try keys.map(inner))
    }
}
