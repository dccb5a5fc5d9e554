import ArgumentParser
import Foundation
import Lakehouse
import Logging
import ObjectStore

/// `cryptoviz lake <subcommand>`: inspect the lake's tick table.
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "Inspect the Delta Lake tick table.",
        subcommands: [LakeInfoCommand.self]
    )
}

/// The `--lake` option shared by the lake commands.
struct LakeLocationOptions: ParsableArguments {
    @Option(name: .long, help: "Table location: file:///path, a local path, or s3://bucket/prefix (S3 settings from AWS_* variables).")
    var lake: String = "file://\(FileManager.default.currentDirectoryPath)/lake"

    /// Opens the existing table at `--lake`.
    func openTable(logger: Logger) async throws -> TickTable {
        let store = try makeObjectStore(url: lake, environment: ProcessInfo.processInfo.environment)
        do {
            return try await TickTable.openExisting(store: store, logger: logger)
        } catch let error as LakehouseError where error.code == .tableNotFound {
            throw LakehouseError(.tableNotFound, "no Delta table at \(lake)")
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
