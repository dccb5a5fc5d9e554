import ArgumentParser
import Lakehouse
import Logging

/// `cryptoviz lake vacuum` (also `cryptoviz vacuum`): delete data files no version within the retention needs.
struct VacuumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vacuum", abstract: "Delete unreferenced data files older than the retention.")

    @OptionGroup var location: LakeLocationOptions
    @Option(help: "Retention in hours (time travel to versions older than this may fail afterwards).") var retentionHours: Int64 = 168
    @Flag(help: "Only list the files that would be deleted.") var dryRun = false
    @Option(help: "Also drop partitions whose date is more than this many days old (before vacuuming).") var dropOlderThanDays: Int?

    func validate() throws {
        guard retentionHours >= 0 else { throw ValidationError("--retention-hours must be 0 or more (got \(retentionHours))") }
        if let days = dropOlderThanDays, days < 0 { throw ValidationError("--drop-older-than-days must be 0 or more (got \(days))") }
    }

    func run() async throws {
        let (table, _) = try await location.openTable(logger: Logger(label: "cryptoviz.lakehouse"))
        if let days = dropOlderThanDays, !dryRun {
            if let version = try await table.dropPartitions(olderThanDays: days) {
                print("dropped partitions older than \(days) days (version \(version))")
            }
        }
        let files = try await table.vacuum(retentionMillis: retentionHours * 3_600_000, dryRun: dryRun)
        for key in files { print(dryRun ? "would delete \(key)" : "deleted \(key)") }
        print("\(files.count) files \(dryRun ? "would be deleted" : "deleted")")
    }
}
