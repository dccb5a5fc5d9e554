import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a crash cannot leave half done: the bytes go to a temporary file in
/// the same directory, are flushed to disk, and the file is renamed over the target (rename(2)
/// is atomic within a file system), so a reader sees the old file or the new one.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws(AlertsError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw AlertsError(.storage, "cannot create \(temporary.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch let error as AlertsError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw AlertsError(.storage, "cannot write \(url.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw AlertsError(.storage, "cannot rename into \(url.path): \(reason)")
        }
    }

    /// Appends `data` (whole lines) to `url`, creating it, and flushes it to disk.
    static func append(_ data: Data, to url: URL) throws(AlertsError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw AlertsError(.storage, "cannot append to \(url.path): \(error.localizedDescription)")
        }
    }
}
