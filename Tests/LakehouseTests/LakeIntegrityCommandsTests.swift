import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport

/// `cryptoviz lake check` and `lake repair --quarantine` on a real table on disk, damaged the
/// way issue #12 describes (a flipped bit in a data page, a file of the wrong size), checked
/// against the table itself and delta-rs.
@Suite struct LakeIntegrityCommandsTests {
    func cryptoviz(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), arguments, environment: environment, check: false)
    }

    /// A table of 4 appends (8 files of 30 rows, 240 rows) with a stream transaction, and two
    /// of its files damaged: a flipped bit in a volume_24h data page, and bytes appended.
    /// `dir` is the lake; the table is its `ticks/` folder.
    func damagedTable(_ label: String) async throws -> (table: TickTable, dir: URL, flipped: String, grown: String) {
        let (store, dir) = try TickFixtures.localStore(label)
        let table = try await Lake.open(store: store).ticks()
        for batch in 0..<4 {
            try await table.append(TickFixtures.records(count: 10, offset: batch * 10), transactions: ["g/t/0": Int64(batch)])
        }
        let files = try await table.snapshot().delta.files.map(\.relativeKey)
        try #require(files.count == 8)
        let (flipped, grown) = (files[1], files[6])
        try ProcessRunner.oracle("parquet/page_checksums.py",
                                 ["flip", dir.appendingPathComponent("ticks/" + flipped).path, "--column", "volume_24h"])
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("ticks/" + grown))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x00, 0x01]))
        try handle.close()
        return (table, dir, flipped, grown)
    }

    @Test func checkFindsAFlippedBitAndASizeMismatch() async throws {
        let (table, dir, flipped, grown) = try await damagedTable("lake-check")
        let lake = "file://\(dir.path)"
        // Without the check the damage is not served silently either: the scan stops on it.
        let scan = await #expect(throws: LakehouseError.self) { _ = try await table.ticks() }
        #expect(scan?.code == .corruptDataFile)

        let check = try cryptoviz(["lake", "check", "--lake", lake])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("bad \(flipped): checksum_mismatch: column volume_24h, row group 0, page ") },
                "\(check.stdout)")
        #expect(lines.contains { $0.hasPrefix("bad \(grown): size_mismatch: log says ") }, "\(check.stdout)")
        #expect(lines.filter { $0.hasPrefix("bad ") }.count == 2, "\(check.stdout)")
        #expect(check.stdout.contains("checked 8 files") && check.stdout.contains("2 bad, holding 60 rows"), "\(check.stdout)")

        let json = try cryptoviz(["lake", "check", "--json", "--lake", lake])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let bad = try #require(object["bad_files"] as? [[String: Any]])
        #expect(Set(bad.compactMap { $0["reason"] as? String }) == ["checksum_mismatch", "size_mismatch"], "\(json.stdout)")
        #expect(object["bad_rows"] as? Int == 60 && object["files_checked"] as? Int == 8, "\(json.stdout)")
    }

    @Test func repairQuarantinesSoTheTableScansAndDeltaRsReadsIt() async throws {
        let (table, dir, flipped, grown) = try await damagedTable("lake-repair")
        let lake = "file://\(dir.path)"

        let dryRun = try cryptoviz(["lake", "repair", "--quarantine", "--dry-run", "--lake", lake])
        #expect(dryRun.status == 0, "\(dryRun.stdout)\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would quarantine \(flipped): checksum_mismatch"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("would remove 2 files (60 rows"), "\(dryRun.stdout)")
        #expect(try await table.snapshot().version == 4)

        let repair = try cryptoviz(["lake", "repair", "--quarantine", "--lake", lake])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(repair.stdout.contains("removed 2 files (60 rows by the log's statistics) at version 5; 2 copies in ticks/_quarantine/v4/"),
                "\(repair.stdout)")
        for path in [flipped, grown] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ticks/_quarantine/v4/\(path)").path), "\(path)")
        }

        let snapshot = try await table.snapshot()
        #expect(snapshot.version == 5)
        #expect(try await table.ticks().count == 180)
        #expect(snapshot.transactionVersion(appId: "g/t/0") == 3, "quarantine leaves stream transactions alone")
        let check = try cryptoviz(["lake", "check", "--lake", lake])
        #expect(check.status == 0 && check.stdout.contains("checked 6 files") && check.stdout.contains("all intact"), "\(check.stdout)")

        // Ingestion goes on after it, exactly once, and delta-rs and DuckDB read the result.
        try await table.append(TickFixtures.records(count: 10, offset: 40), transactions: ["g/t/0": 4])
        #expect(try await table.transactionVersion(appId: "g/t/0") == 4)
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [dir.appendingPathComponent("ticks").path]).stdout
        let events = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        #expect(events["deltalake"]?["rows"] as? Int == 240 && events["duckdb"]?["rows"] as? Int == 240, "\(output)")

        let clean = try cryptoviz(["lake", "repair", "--quarantine", "--lake", lake])
        #expect(clean.status == 0 && clean.stdout.contains("nothing to repair: 8 files intact at version 6"), "\(clean.stdout)")
    }

    @Test func repairWithoutQuarantineIsRefused() throws {
        let dir = try TestEnvironment.temporaryDirectory("lake-repair-flag")
        let result = try cryptoviz(["lake", "repair", "--lake", "file://\(dir.path)"])
        #expect(result.status != 0 && result.stderr.contains("repair needs --quarantine"), "\(result.stderr)")
    }
}
