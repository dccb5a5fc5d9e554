import Foundation
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// `checkDataFiles` and `quarantine` on the moto S3 server: the quarantine copy and the
/// removal go through the store alone, and delta-rs reads the repaired table.
@Suite struct DataFileIntegrityS3Tests {
    @Test func checksAndQuarantinesOnS3() async throws {
        let fixture = try await S3TickTableFixture.make(bucketPrefix: "check")
        let (url, store, table) = (fixture.url, fixture.store, fixture.table)
        for batch in 0..<3 { try await table.append(TickFixtures.records(count: 10, offset: batch * 10)) }
        let files = try await table.snapshot().delta.files
        try #require(files.count == 6)
        #expect(try await table.delta.checkDataFiles().isClean)

        // One file gets a flipped bit (located by pyarrow in a local copy), one disappears.
        let damaged = files[2]
        let local = try TestEnvironment.temporaryDirectory("check-s3").appendingPathComponent("f.parquet")
        try Data(try await store.get(table.delta.dataKey(damaged.relativeKey))).write(to: local)
        try ProcessRunner.oracle("parquet/page_checksums.py", ["flip", local.path, "--column", "price"])
        try await store.put(table.delta.dataKey(damaged.relativeKey), Array(try Data(contentsOf: local)))
        try await store.delete([table.delta.dataKey(files[4].relativeKey)])

        let report = try await table.delta.checkDataFiles()
        #expect(report.filesChecked == 6)
        #expect(report.problems.map(\.kind) == [.checksumMismatch, .missing], "\(report.problems)")
        #expect(report.problems.first?.message.contains("column price") == true)
        #expect(report.rowsInProblemFiles == 60)

        let result = try await table.delta.quarantine(report, dryRun: false)
        #expect(result.version == 4 && result.rows == 60)
        #expect(result.copies == [ObjectKey("_quarantine/v3/\(damaged.relativeKey)")])
        #expect(try await store.get(result.copies[0]) == Array(try Data(contentsOf: local)))
        #expect(try await table.delta.checkDataFiles().isClean)
        #expect(try await table.ticks().count == 120)

        let summary = try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["summary", url]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: [String: Any]]
        #expect(try TableSummary(json: json?["latest"]?["deltalake"]).rows == 120, "\(summary)")
    }
}
