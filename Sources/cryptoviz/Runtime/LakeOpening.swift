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

    /// Opens a lake that must already exist, for `serve --bus none`: a missing folder or a
    /// root holding neither table is an error naming the URL, never a new empty lake. A lake
    /// holding only candles (a backfill's) gets an empty tick table (one metadata commit),
    /// since the server's tick views and SQL need one.
    static func openForReading(_ url: String, logger: Logger) async throws -> OpenedLake {
        let location = try ObjectStoreLocation(parsing: url)
        if case .local(let path) = location {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw LakeOpeningError("no lake at \(url): \(path) is not a directory")
            }
        }
        let store = try location.makeStore(environment: ProcessInfo.processInfo.environment, logger: logger)
        let probe = try await Lake.open(store: store, logger: logger)
        let ticks = try await DeltaTable(store: store, root: Lake.ticksRoot, logger: logger).exists()
        let candles = try await DeltaTable(store: store, root: Lake.candlesRoot, logger: logger).exists()
        guard ticks || candles else {
            throw LakeOpeningError("no CryptoViz lake at \(url): neither \(Lake.ticksRoot) nor \(Lake.candlesRoot) holds a Delta table")
        }
        if !ticks { logger.notice("the lake has no tick table: creating an empty one (candles only, e.g. a backfill's)") }
        _ = probe
        return try await open(url, logger: logger)
    }
}

/// A lake that cannot be served, with the URL and why.
struct LakeOpeningError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
