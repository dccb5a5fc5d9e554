import ArgumentParser
import Lakehouse
import Logging

/// `cryptoviz lake repair --quarantine`: take the files `lake check` finds bad out of the table.
struct LakeRepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Remove damaged data files from the table in one commit, keeping a copy of their bytes.",
        discussion: """
            Runs the checks of `lake check`, copies each bad file that still exists to \
            _quarantine/v<version>/ under the table root (hidden from Delta readers and never \
            vacuumed), and commits `remove` actions for all of them: their rows leave the table. \
            The originals are deleted by a later vacuum like any removed file. Stream \
            transactions are untouched, so a running or restarted `up` keeps ingesting.
            """)

    @OptionGroup var location: LakeLocationOptions
    @Flag(help: "Remove the damaged files from the table (the only repair there is; required).") var quarantine = false
    @Flag(help: "Only show what would be removed.") var dryRun = false

    func validate() throws {
        guard quarantine else {
            throw ValidationError("repair needs --quarantine: removing damaged files from the table is the only repair")
        }
    }

    func run() async throws {
        let (table, _) = try await location.openTable(logger: Logger(label: "cryptoviz.lakehouse"))
        let report = try await table.delta.checkDataFiles()
        if report.isClean {
            print("nothing to repair: \(report.filesChecked) files intact at version \(report.version)")
            return
        }
        let result = try await table.delta.quarantine(report, dryRun: dryRun)
        for problem in result.files {
            print("\(dryRun ? "would quarantine" : "quarantined") \(problem.path): \(problem.kind.rawValue): \(problem.message)")
        }
        let rows = "\(result.rows) rows by the log's statistics"
            + (result.filesWithoutRowCount > 0 ? ", \(result.filesWithoutRowCount) files without a row count" : "")
        // Named from the lake's root (the table is one folder of it, `ticks/`).
        let folder = "\(table.delta.root)\(DeltaTable.quarantineFolder)/v\(report.version)/"
        if let version = result.version {
            print("removed \(result.files.count) files (\(rows)) at version \(version); \(result.copies.count) copies in \(folder)")
        } else {
            print("would remove \(result.files.count) files (\(rows)) in one commit; \(result.copies.count) copies would go to \(folder)")
        }
    }
}
