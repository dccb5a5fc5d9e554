import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// The lake named by a `--lake` URL: its store (rooted at the lake), the lake with its
/// tables (`ticks/`, `candles/`), and (for local lakes) its directory.
struct OpenedLake {
    var store: any ObjectStore
    var lake: Lake
    /// The tick table, `<lake>/ticks`.
    var table: TickTable
    /// The lake's folder when it is on local disk (DuckDB reads the tables' files under it).
    var localDirectory: String?
    /// Where the lake lives, without credentials.
    var location: String

    /// Opens the lake (migrating a lake written before per-table folders, see
    /// `LegacyLakeMigration`) and its tick table, creating the table if there is none.
    static func open(_ url: String, logger: Logger) async throws -> OpenedLake {
        let location = try ObjectStoreLocation(parsing: url)
        var localDirectory: String?
        if case .local(let path) = location {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            localDirectory = path
        }
        let store = try location.makeStore(environment: ProcessInfo.processInfo.environment, logger: logger)
        let lake = try await Lake.open(store: store, logger: logger)
        let table = try await lake.ticks()
        let shown: String = switch location {
        case .local(let path): path
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        }
        return OpenedLake(store: store, lake: lake, table: table, localDirectory: localDirectory, location: shown)
    }
}
