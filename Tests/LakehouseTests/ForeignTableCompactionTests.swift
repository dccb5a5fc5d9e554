import Foundation
import Lakehouse
import Testing
import TestSupport

/// Compaction of tables CryptoViz did not write: delta-rs tables with the tick columns but
/// another partitioning are compacted and read back the same by delta-rs; a table whose
/// rewrite would lose a column is refused with the reason.
@Suite struct ForeignTableCompactionTests {
    func deltaRsSummary(_ table: String) throws -> TableSummary {
        let output = try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["summary", table]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]]
        return try TableSummary(json: json?["latest"]?["deltalake"])
    }

    func cryptoviz(_ arguments: [String]) throws -> CommandResult {
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), arguments, check: false)
    }

    /// The lake is `dir`; delta-rs writes its tick table, `dir/ticks`.
    @Test(arguments: ["source", ""])
    func compactsADeltaRsTablePartitionedAnotherWay(_ partitionBy: String) throws {
        let dir = try TestEnvironment.temporaryDirectory("compact-foreign")
        let table = dir.appendingPathComponent("ticks").path
        for seed in 0..<3 {
            try ProcessRunner.oracle("lakehouse/delta_oracle.py", [
                "write", table, "--rows", "100", "--seed", String(seed), "--partition-by", partitionBy, "--drop", "date"])
        }
        let before = try deltaRsSummary(table)
        #expect(before.rows == 300)
        let partitions = partitionBy.isEmpty ? 1 : 2

        let compact = try cryptoviz(["lake", "compact", "--lake", "file://\(dir.path)"])
        #expect(compact.status == 0, "\(compact.stdout)\(compact.stderr)")
        #expect(compact.stdout.contains("compacted \(partitions) partitions: \(3 * partitions) files -> \(partitions) (version 3)"),
                "\(compact.stdout)")
        let after = try deltaRsSummary(table)
        #expect(after.matches(before), "after \(after) before \(before)")
        let check = try cryptoviz(["lake", "check", "--lake", "file://\(dir.path)"])
        #expect(check.status == 0 && check.stdout.contains("checked \(partitions) files"), "\(check.stdout)\(check.stderr)")
    }

    @Test func refusesATableWhoseRewriteWouldDropAColumn() throws {
        let dir = try TestEnvironment.temporaryDirectory("compact-foreign-extra")
        for seed in 0..<2 {
            // Partitioned by source only, `date` stays a data column the tick schema lacks.
            try ProcessRunner.oracle("lakehouse/delta_oracle.py", [
                "write", dir.appendingPathComponent("ticks").path, "--rows", "50", "--seed", String(seed), "--partition-by", "source"])
        }
        let compact = try cryptoviz(["lake", "compact", "--lake", "file://\(dir.path)"])
        #expect(compact.status != 0)
        #expect(compact.stderr.contains("cannot compact: column 'date' is not a tick column"), "\(compact.stderr)")
        #expect(!compact.stderr.contains("needs a CryptoViz layout"))
    }
}
