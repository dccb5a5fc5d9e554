import ArgumentParser
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// `cryptoviz lake <subcommand>`: inspect, check and maintain the lake's tick table.
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "Inspect, check and maintain the Delta Lake tick table.",
        subcommands: [LakeInfoCommand.self, CompactCommand.self, VacuumCommand.self, LakeCheckCommand.self, LakeRepairCommand.self]
    )
}

/// How the lake commands find the table: as `up` does (`RuntimeSettings`), so that with no
/// flag they maintain the table `up` writes.
struct LakeLocationOptions: ParsableArguments {
    @Option(name: .long, help: "Lake location (its tick table is <lake>/ticks): file:///path, a local path, or s3://bucket/prefix (S3 settings from AWS_* variables). Default: CRYPTOVIZ_LAKE, else <data>/lake.")
    var lake: String?

    @Option(name: .long, help: "Data directory whose lake/ folder is the lake when no lake is given (default: CRYPTOVIZ_DATA, else ./cryptoviz-data).")
    var data: String?

    @Option(help: "JSON config file, as for `up` (its lake and data keys apply).")
    var config: String?

    /// The lake URL in effect: the flags, then `CRYPTOVIZ_LAKE` / `CRYPTOVIZ_DATA`, then the
    /// config file, then `./cryptoviz-data/lake`.
    func resolvedLake(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var settings = RuntimeSettings()
        if let config { try settings.apply(configFile: URL(fileURLWithPath: config)) }
        try settings.apply(environment: environment)
        if let lake { settings.lake = lake }
        if let data { settings.dataDirectory = data }
        return settings.effectiveLake
    }

    /// Opens the lake's existing tick table (`<lake>/ticks`, after migrating a lake written
    /// before per-table folders); never creates one (nor, for a local lake, its folder).
    func openTable(logger: Logger) async throws -> (table: TickTable, location: String) {
        let url = try resolvedLake()
        let environment = ProcessInfo.processInfo.environment
        if case .local(let path) = try ObjectStoreLocation(parsing: url), !FileManager.default.fileExists(atPath: path) {
            throw LakehouseError(.tableNotFound, "no Delta table at \(url): \(path) does not exist")
        }
        let store = try makeObjectStore(url: url, environment: environment)
        do {
            let lake = try await Lake.open(store: store, logger: logger)
            return (try await lake.existingTicks(), url)
        } catch let error as LakehouseError where error.code == .tableNotFound {
            throw LakehouseError(.tableNotFound, "no tick table in the lake at \(url) (looked for \(Lake.ticksRoot)_delta_log)")
        }
    }
}

/// Formats a byte count for people (KiB/MiB/GiB).
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
