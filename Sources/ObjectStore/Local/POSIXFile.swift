#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls `LocalFileStore` needs, so that atomicity
/// (temp file + fsync + rename/link) is spelled out in one audited place.
enum POSIXFile {
    /// The current `errno` as a readable message.
    static func errorMessage(_ operation: String, _ path: String, _ code: Int32 = errno) -> String {
        "\(operation) '\(path)' failed: \(String(cString: strerror(code))) (errno \(code))"
    }

    /// Opens `path`, retrying on EINTR; returns the descriptor or the errno.
    static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) -> Result<Int32, POSIXErrorCode32> {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return .success(fd) }
            if errno != EINTR { return .failure(POSIXErrorCode32(errno)) }
        }
    }

    /// Writes every byte of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Reads `count` bytes at `offset`, stopping early only at end of file.
    static func readAt(_ fd: Int32, offset: Int, count: Int) -> Result<[UInt8], POSIXErrorCode32> {
        var failure: POSIXErrorCode32?
        // Uninitialized: zeroing a buffer the read overwrites cost as much as the copy itself.
        let result = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var filled = 0
            while filled < count {
                let got = pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = POSIXErrorCode32(errno)
                    break
                }
                if got == 0 { break }
                filled += got
            }
            initialized = failure == nil ? filled : 0
        }
        if let failure { return .failure(failure) }
        return .success(result)
    }

    /// Flushes a directory entry change (create, rename, link, unlink) to disk.
    static func syncDirectory(_ path: String) {
        guard case .success(let fd) = openFile(path, O_RDONLY | O_DIRECTORY) else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    /// Creates `path` and its missing parents (`mkdir -p`).
    static func makeDirectories(_ path: String) -> Int32? {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return nil }
        guard errno == ENOENT else { return errno }
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return ENOENT }
        if let failure = makeDirectories(String(path[..<slash])) { return failure }
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return nil }
        return errno
    }

    /// The `stat` of `path`, or the errno.
    static func status(_ path: String) -> Result<stat, POSIXErrorCode32> {
        var info = stat()
        if stat(path, &info) == 0 { return .success(info) }
        return .failure(POSIXErrorCode32(errno))
    }

    /// The names in a directory (without `.` and `..`), or the errno.
    static func entries(_ path: String) -> Result<[(name: String, isDirectory: Bool?)], POSIXErrorCode32> {
        guard let dir = opendir(path) else { return .failure(POSIXErrorCode32(errno)) }
        defer { closedir(dir) }
        var names: [(name: String, isDirectory: Bool?)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(validatingCString: $0) }
            }
            guard let name, name != ".", name != ".." else { continue }
            let type = entry.pointee.d_type
            let isDirectory: Bool? = type == UInt8(DT_DIR) ? true : (type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) ? nil : false)
            names.append((name, isDirectory))
        }
        return .success(names)
    }
}

/// An `errno` value carried in a `Result`.
struct POSIXErrorCode32: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}
