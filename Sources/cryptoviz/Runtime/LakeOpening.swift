import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// The lake named by a `--lake` URL: its store, table, and (for local lakes) its directory.
struct OpenedLake {
    var store: any ObjectStore
    var table: TickTable
    var localDirectory: String?
    var location: String

    static func open(_ url: String, logger: Logger) async throws -> OpenedLake {
        let path: String
        if url.hasPrefix("file://") {
            path = String(url.dropFirst("file://".count))
        } else if url.hasPrefix("/") {
            path = url
        } else {
            throw PipelineError("lake '\(url)': only file:// lakes are wired in this build (s3:// arrives with the S3 store)")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let store = try LocalFileStore(root: path)
        let table = try await TickTable.open(store: store, logger: logger)
        return OpenedLake(store: store, table: table, localDirectory: path, location: path)
    }
}
