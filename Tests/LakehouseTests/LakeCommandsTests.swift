import Foundation
import Lakehouse
import Testing
import TestSupport

/// The lake maintenance commands as an operator runs them: `cryptoviz lake info`, `compact` and
/// `vacuum` on a table on disk, checked against the table itself and against delta-rs.
@Suite struct LakeCommandsTests {
    func cryptoviz(_ arguments: [String]) throws -> CommandResult {
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), arguments, check: false)
    }

    @Test func infoCompactAndVacuumKeepEveryRow() async throws {
        let (store, dir) = try TickFixtures.localStore("lake-cli")
        let table = try await Lake.open(store: store).ticks()
        // Four small appends: 4 x 10 steps x 3 assets x 2 sources = 240 rows over two dates.
        for batch in 0..<4 { _ = try await table.append(TickFixtures.records(count: 10, offset: batch * 10)) }
        let lake = "file://\(dir.path)"

        let info = try cryptoviz(["lake", "info", "--lake", lake])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("rows         240"), "\(info.stdout)")
        #expect(info.stdout.contains("version      4"), "\(info.stdout)")

        let compact = try cryptoviz(["compact", "--lake", lake])
        #expect(compact.status == 0 && compact.stdout.contains("(version 5)"), "\(compact.stdout)\(compact.stderr)")

        // Retention 0: the files compaction replaced are unreferenced at once.
        let dryRun = try cryptoviz(["vacuum", "--dry-run", "--retention-hours", "0", "--lake", lake])
        let wouldDelete = dryRun.stdout.split(separator: "\n").filter { $0.hasPrefix("would delete ") }.count
        #expect(dryRun.status == 0 && wouldDelete > 0, "\(dryRun.stdout)\(dryRun.stderr)")
        let vacuum = try cryptoviz(["vacuum", "--retention-hours", "0", "--lake", lake])
        #expect(vacuum.stdout.contains("\(wouldDelete) files deleted"), "\(vacuum.stdout)\(vacuum.stderr)")

        let after = try cryptoviz(["lake", "info", "--lake", lake])
        #expect(after.stdout.contains("rows         240"), "\(after.stdout)")
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [dir.appendingPathComponent("ticks").path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        #expect(json["deltalake"]?["rows"] as? Int == 240 && json["deltalake"]?["events"] as? Int == 240, "\(output)")
    }

    /// A lake written before per-table folders: the first command that opens it moves the
    /// tick table into `ticks/` and says so; the table keeps its versions and rows.
    @Test func theFirstCommandMigratesALegacyLake() async throws {
        let (store, dir) = try TickFixtures.localStore("lake-cli-legacy")
        let legacy = try await TickTable.open(store: store)
        for batch in 0..<3 { _ = try await legacy.append(TickFixtures.records(count: 10, offset: batch * 10)) }

        let info = try cryptoviz(["lake", "info", "--lake", "file://\(dir.path)"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stderr.contains("migrating a lake written before per-table folders"), "\(info.stderr)")
        #expect(info.stderr.contains("lake migration complete"), "\(info.stderr)")
        #expect(info.stdout.contains("rows         180") && info.stdout.contains("version      3"), "\(info.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ticks"])

        let again = try cryptoviz(["lake", "info", "--lake", "file://\(dir.path)"])
        #expect(again.status == 0 && !again.stderr.contains("migrat"), "\(again.stderr)")
        #expect(again.stdout.contains("rows         180"), "\(again.stdout)")
    }

    @Test(arguments: [
        (["vacuum", "--retention-hours=-1"], "--retention-hours must be 0 or more"),
        (["vacuum", "--drop-older-than-days=-3"], "--drop-older-than-days must be 0 or more"),
        (["lake", "info", "--lake", "ftp://somewhere/lake"], "ftp"),
    ])
    func badFlagsGetAClearErrorAndNoStackTrace(arguments: [String], message: String) throws {
        let dir = try TestEnvironment.temporaryDirectory("lake-cli-bad")
        let withLake = arguments.contains("--lake") ? arguments : arguments + ["--lake", "file://\(dir.path)"]
        let result = try cryptoviz(withLake)
        #expect(result.status != 0)
        #expect(result.stderr.lowercased().contains("error") && result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result.stderr)")
    }
}
