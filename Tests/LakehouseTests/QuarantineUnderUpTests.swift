import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport

/// The operator's path through issue #12: `up --demo` fills a lake, a data file is damaged,
/// `lake check` and `lake repair --quarantine` (finding the lake as `up` does, by
/// CRYPTOVIZ_DATA) take it out, and a restarted `up` keeps ingesting exactly once.
@Suite(.serialized) struct QuarantineUnderUpTests {
    func up(data: URL) throws -> ManagedProcess {
        let port = try LoopbackPort.free()
        let process = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "50", "--assets", "20", "--port", "\(port)", "--interval", "1"],
            environment: ["CRYPTOVIZ_DATA": data.path, "CRYPTOVIZ_DUCKDB": try TestEnvironment.duckdb()], label: "cryptoviz-up-quarantine")
        try process.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        return process
    }

    func lakeRows(_ path: String) throws -> (rows: Int, events: Int) {
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        return (json["deltalake"]?["rows"] as? Int ?? -1, json["deltalake"]?["events"] as? Int ?? -1)
    }

    @Test func upKeepsIngestingAfterADamagedFileIsQuarantined() async throws {
        let data = try TestEnvironment.temporaryDirectory("up-quarantine")
        // The tick table of the lake `up` writes (<data>/lake).
        let lake = data.appendingPathComponent("lake/ticks")
        let first = try up(data: data)
        var version: Int64 = -1
        for _ in 0..<240 where version < 2 {
            try await Task.sleep(for: .milliseconds(250))
            version = (try? await TickTable.openExisting(store: try LocalFileStore(root: lake.path)).snapshot().version) ?? -1
        }
        first.stop(signal: SIGTERM)
        try #require(version >= 2, "no data commits: \(first.logTail())")

        let table = try await TickTable.openExisting(store: try LocalFileStore(root: lake.path))
        let files = try await table.snapshot().delta.files
        let victim = try #require(files.first)
        let victimRows = try #require(victim.parsedStatistics()?.numRecords)
        let rowsBefore = try lakeRows(lake.path).rows
        try ProcessRunner.oracle("parquet/page_checksums.py",
                                 ["flip", lake.appendingPathComponent(victim.relativeKey).path, "--column", "volume_24h"])

        let environment = ["CRYPTOVIZ_DATA": data.path]
        let binary = try TestEnvironment.cryptovizBinary()
        // Start-up reads the lake: it stops on the damage and says how out of it (bounded, in
        // case it started instead).
        let refused = try ProcessRunner.run("/usr/bin/timeout", [
            "60", binary, "up", "--demo", "--demo-assets", "50", "--assets", "20", "--port", "\(try LoopbackPort.free())",
        ], environment: environment, check: false)
        #expect(refused.status == 1, "\(refused.stderr.suffix(2000))")
        #expect(refused.stderr.contains("checksum mismatch") && refused.stderr.contains("cryptoviz lake repair --quarantine"),
                "\(refused.stderr.suffix(2000))")
        let check = try ProcessRunner.run(binary, ["lake", "check"], environment: environment, check: false)
        #expect(check.status == 1 && check.stdout.contains("bad \(victim.relativeKey): checksum_mismatch"), "\(check.stdout)\(check.stderr)")
        let repair = try ProcessRunner.run(binary, ["lake", "repair", "--quarantine"], environment: environment, check: false)
        #expect(repair.status == 0 && repair.stdout.contains("removed 1 files (\(victimRows) rows"), "\(repair.stdout)\(repair.stderr)")
        #expect(try lakeRows(lake.path).rows == rowsBefore - Int(victimRows))

        let second = try up(data: data)
        let repaired = try await table.snapshot().version
        var latest = repaired
        for _ in 0..<120 where latest <= repaired {
            try await Task.sleep(for: .milliseconds(250))
            latest = try await table.snapshot().version
        }
        second.stop(signal: SIGTERM)
        #expect(latest > repaired, "no commit after the repair: \(second.logTail())")
        let after = try lakeRows(lake.path)
        #expect(after.rows > rowsBefore - Int(victimRows) && after.rows == after.events, "\(after)")
        let clean = try ProcessRunner.run(binary, ["lake", "check"], environment: environment, check: false)
        #expect(clean.status == 0 && clean.stdout.contains("all intact"), "\(clean.stdout)\(clean.stderr)")
    }
}
