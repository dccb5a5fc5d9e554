import ArgumentParser
import Foundation
import Lakehouse
import Logging

/// `cryptoviz lake check`: verify every data file of the current version against the log.
struct LakeCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every data file of the table: present, of the logged size, readable Parquet with intact page checksums, and holding the logged row count.",
        discussion: "Prints one line per bad file and a summary; exits 1 when any file is bad.")

    @OptionGroup var location: LakeLocationOptions
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: "Files checked at once.") var concurrency = 4

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more (got \(concurrency))") }
    }

    func run() async throws {
        let (table, lake) = try await location.openTable(logger: Logger(label: "cryptoviz.lakehouse"))
        let report = try await table.delta.checkDataFiles(concurrency: concurrency)
        if json {
            print(try IntegrityReportJSON(report, table: lake).encoded())
        } else {
            for problem in report.problems {
                print("bad \(problem.path): \(problem.kind.rawValue): \(problem.message)")
            }
            print(summary(report))
        }
        if !report.isClean { throw ExitCode(1) }
    }

    private func summary(_ report: IntegrityReport) -> String {
        let checked = "checked \(report.filesChecked) files (\(formatBytes(report.bytesChecked))) at version \(report.version)"
        if report.isClean { return "\(checked): all intact" }
        let unknown = report.problemFilesWithoutRowCount
        return "\(checked): \(report.problems.count) bad, holding \(report.rowsInProblemFiles) rows by the log's statistics"
            + (unknown > 0 ? " (\(unknown) without a row count)" : "")
    }
}

/// The `--json` form of a check: stable snake_case keys for scripts and monitoring.
struct IntegrityReportJSON: Encodable {
    struct File: Encodable {
        var path: String
        var reason: String
        var message: String
        var size: Int64
        var rows: Int64?
    }

    var table: String
    var version: Int64
    var filesChecked: Int
    var bytesChecked: Int64
    var badFiles: [File]
    var badRows: Int64

    enum CodingKeys: String, CodingKey {
        case table, version
        case filesChecked = "files_checked", bytesChecked = "bytes_checked", badFiles = "bad_files", badRows = "bad_rows"
    }

    init(_ report: IntegrityReport, table: String) {
        self.table = table
        version = report.version
        filesChecked = report.filesChecked
        bytesChecked = report.bytesChecked
        badFiles = report.problems.map {
            File(path: $0.path, reason: $0.kind.rawValue, message: $0.message, size: $0.file.size, rows: $0.rows)
        }
        badRows = report.rowsInProblemFiles
    }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
