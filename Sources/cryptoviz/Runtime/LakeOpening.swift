import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// The lake named by a `--lake` URL: its store, table, and (for local lakes) its directory.
struct OpenedLake {
    var store: any ObjectStore
    var table: TickTable
    /// The table's folder when it is on local disk (DuckDB reads the files there).
    var localDirectory: String?
    /// Where the table lives, without credentials.
    var location: String

    static func open(_ url: String, logger: Logger) async throws -> OpenedLake {
        let location = try ObjectStoreLocation(parsing: url)
        var localDirectory: String?
        if case .local(let path) = location {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            localDirectory = path
        }
        let store = try location.makeStore(environment: ProcessInfo.processInfo.environment, logger: logger)
        let table = try await TickTable.open(store: store, logger: logger)
        let shown: String = switch location {
        case .local(let path): path
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        }
        return OpenedLake(store: store, table: table, localDirectory: localDirectory, location: shown)
    }
}
