import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An object store in a local directory: each key is a file path below `root`.
///
/// Writes go to a temporary file in the target's directory, are fsynced, then renamed into
/// place (`put`) or hard-linked into place (`putIfAbsent`: `link(2)` fails with EEXIST when the
/// target exists, which makes it atomic across processes, also on the same machine's other
/// writers); readers therefore see either the old or the new bytes, never a partial file.
/// Temporary files carry the `temporaryFilePrefix` and are never listed. A key cannot be both an
/// object and a "directory" of other objects (`a/b` and `a/b/c`): the second write fails with `.io`.
public struct LocalFileStore: ObjectStore {
    /// Names of in-flight temporary files start with this; keys may not use it.
    public static let temporaryFilePrefix = ".cryptoviz-tmp-"

    /// The directory holding the objects, without a trailing slash.
    public let root: String

    /// A store rooted at `root`, which is created (with parents) when missing.
    public init(root: String) throws {
        var path = root
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard !path.isEmpty else { throw ObjectStoreError(.configuration, "the local store's root path is empty") }
        if let failure = POSIXFile.makeDirectories(path) {
            throw ObjectStoreError(.io, POSIXFile.errorMessage("creating the store root", path, failure))
        }
        self.root = path
    }

    public func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] {
        let path = try self.path(of: key)
        return try await Self.offload {
            let fd: Int32
            switch POSIXFile.openFile(path, O_RDONLY) {
            case .success(let opened): fd = opened
            case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR:
                throw ObjectStoreError(.notFound, key: key, "no such object")
            case .failure(let error):
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("open", path, error.code))
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("fstat", path)) }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw ObjectStoreError(.notFound, key: key, "no such object") }
            let size = Int(info.st_size)
            let lower = min(max(range?.lowerBound ?? 0, 0), size)
            let upper = min(max(range?.upperBound ?? size, lower), size)
            switch POSIXFile.readAt(fd, offset: lower, count: upper - lower) {
            case .success(let bytes): return bytes
            case .failure(let error): throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("read", path, error.code))
            }
        }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata? {
        let path = try self.path(of: key)
        return try await Self.offload {
            switch POSIXFile.status(path) {
            case .success(let info):
                guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
                return Self.metadata(key, info)
            case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR:
                return nil
            case .failure(let error):
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("stat", path, error.code))
            }
        }
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws {
        let path = try self.path(of: key)
        try await Self.offload {
            let (temporary, directory) = try Self.writeTemporary(bytes, for: path, key: key)
            guard rename(temporary, path) == 0 else {
                let code = errno
                unlink(temporary)
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("rename into", path, code))
            }
            POSIXFile.syncDirectory(directory)
        }
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool {
        let path = try self.path(of: key)
        return try await Self.offload {
            let (temporary, directory) = try Self.writeTemporary(bytes, for: path, key: key)
            defer { unlink(temporary) }
            if link(temporary, path) == 0 {
                POSIXFile.syncDirectory(directory)
                return true
            }
            let code = errno
            guard code == EEXIST else {
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("link into", path, code))
            }
            if case .success(let info) = POSIXFile.status(path), (info.st_mode & S_IFMT) == S_IFDIR {
                throw ObjectStoreError(.io, key: key, "'\(path)' is a directory of other objects")
            }
            return false
        }
    }

    public func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        let root = self.root
        return try await Self.offload {
            // Walk only below the deepest directory that the prefix names completely.
            let directoryPart: Substring
            let fragment: Substring
            if let slash = prefix.lastIndex(of: "/") {
                directoryPart = prefix[...slash]
                fragment = prefix[prefix.index(after: slash)...]
            } else {
                directoryPart = ""
                fragment = Substring(prefix)
            }
            let segments = directoryPart.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            if segments.contains(where: { $0 == "." || $0 == ".." }) {
                throw ObjectStoreError(.invalidKey, key: ObjectKey(prefix), "a listing prefix may not have '.' or '..' segments")
            }
            if segments.contains(where: \.isEmpty) { return ObjectListing(objects: []) }
            var walk = Walk(root: root, foldDirectories: delimiter == "/")
            try walk.visit(directoryKey: String(directoryPart), fragment: fragment)
            return ObjectListing.page(
                of: walk.objects, commonPrefixes: walk.commonPrefixes, prefix: prefix, delimiter: delimiter,
                after: continuationToken, maxKeys: maxKeys)
        }
    }

    public func delete(_ keys: [ObjectKey]) async throws {
        let paths = try keys.map { ($0, try path(of: $0)) }
        let root = self.root
        try await Self.offload {
            for (key, path) in paths {
                if unlink(path) != 0 {
                    let code = errno
                    if code == ENOENT || code == ENOTDIR || code == EISDIR { continue }
                    if code == EPERM, case .success(let info) = POSIXFile.status(path), (info.st_mode & S_IFMT) == S_IFDIR {
                        continue
                    }
                    throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("unlink", path, code))
                }
                // Drop directories the delete left empty, so listings with a delimiter do not show them.
                var directory = path
                while let slash = directory.lastIndex(of: "/") {
                    directory = String(directory[..<slash])
                    guard directory.count > root.count, rmdir(directory) == 0 else { break }
                }
            }
        }
    }

    /// The file path of `key`, after validating it.
    func path(of key: ObjectKey) throws -> String {
        try key.validate()
        if key.segments.contains(where: { $0.hasPrefix(Self.temporaryFilePrefix) }) {
            throw ObjectStoreError(.invalidKey, key: key, "key segments may not start with '\(Self.temporaryFilePrefix)'")
        }
        return root + "/" + key.rawValue
    }

    /// Writes `bytes` to a fresh, fsynced temporary file next to `path`; returns it and its directory.
    private static func writeTemporary(_ bytes: [UInt8], for path: String, key: ObjectKey) throws -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else {
            throw ObjectStoreError(.invalidKey, key: key, "'\(path)' has no parent directory")
        }
        let directory = String(path[..<slash])
        // A concurrent delete may remove the freshly made directory before the file exists in it.
        for _ in 0..<8 {
            if let failure = POSIXFile.makeDirectories(directory) {
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("mkdir", directory, failure))
            }
            let temporary = directory + "/" + temporaryFilePrefix + String(UInt64.random(in: .min ... .max), radix: 16)
            let fd: Int32
            switch POSIXFile.openFile(temporary, O_WRONLY | O_CREAT | O_EXCL) {
            case .success(let opened): fd = opened
            case .failure(let error) where error.code == ENOENT || error.code == EEXIST: continue
            case .failure(let error) where error.code == ENOTDIR:
                throw ObjectStoreError(.io, key: key, "a parent of '\(path)' is an object, not a directory")
            case .failure(let error):
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("create", temporary, error.code))
            }
            if let failure = POSIXFile.writeAll(fd, bytes) {
                close(fd)
                unlink(temporary)
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("write", temporary, failure))
            }
            // The data must be durable before the name points at it, or a crash could expose an empty file.
            if fsync(fd) != 0 {
                let code = errno
                close(fd)
                unlink(temporary)
                throw ObjectStoreError(.io, key: key, POSIXFile.errorMessage("fsync", temporary, code))
            }
            close(fd)
            return (temporary, directory)
        }
        throw ObjectStoreError(.io, key: key, "could not create a temporary file in '\(directory)'")
    }

    static func metadata(_ key: ObjectKey, _ info: stat) -> ObjectMetadata {
        let millis = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
        return ObjectMetadata(key: key, size: Int(info.st_size), lastModifiedMillis: millis)
    }

    /// Runs blocking file-system work off the cooperative thread pool.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A recursive walk collecting the objects under a listing prefix.
private struct Walk {
    let root: String
    /// With delimiter `/`, a directory past the prefix becomes one common prefix, unvisited.
    let foldDirectories: Bool
    var objects: [ObjectMetadata] = []
    var commonPrefixes: Set<String> = []

    init(root: String, foldDirectories: Bool) {
        self.root = root
        self.foldDirectories = foldDirectories
    }

    /// Visits the directory for `directoryKey` (empty or ending in `/`), keeping names starting with `fragment`.
    mutating func visit(directoryKey: String, fragment: Substring) throws {
        let directoryPath = directoryKey.isEmpty ? root : root + "/" + directoryKey.dropLast()
        let entries: [(name: String, isDirectory: Bool?)]
        switch POSIXFile.entries(directoryPath) {
        case .success(let found): entries = found
        case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR: return
        case .failure(let error):
            throw ObjectStoreError(.io, POSIXFile.errorMessage("opendir", directoryPath, error.code))
        }
        for entry in entries where entry.name.hasPrefix(fragment) && !entry.name.hasPrefix(LocalFileStore.temporaryFilePrefix) {
            let key = directoryKey + entry.name
            let path = root + "/" + key
            var isDirectory = entry.isDirectory
            var info = stat()
            if isDirectory != true {
                guard stat(path, &info) == 0 else { continue }  // deleted while walking
                isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                guard isDirectory == true || (info.st_mode & S_IFMT) == S_IFREG else { continue }
            }
            if isDirectory == true {
                if foldDirectories {
                    if Self.containsObject(path) { commonPrefixes.insert(key + "/") }
                } else {
                    try visit(directoryKey: key + "/", fragment: "")
                }
            } else {
                objects.append(LocalFileStore.metadata(ObjectKey(key), info))
            }
        }
    }

    /// Whether any regular file other than a temporary one lies below `path`.
    static func containsObject(_ path: String) -> Bool {
        guard case .success(let entries) = POSIXFile.entries(path) else { return false }
        for entry in entries where !entry.name.hasPrefix(LocalFileStore.temporaryFilePrefix) {
            let child = path + "/" + entry.name
            if entry.isDirectory == true {
                if containsObject(child) { return true }
                continue
            }
            var info = stat()
            guard stat(child, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR ? containsObject(child) : (info.st_mode & S_IFMT) == S_IFREG { return true }
        }
        return false
    }
}
