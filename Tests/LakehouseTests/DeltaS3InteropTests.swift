import CryptoVizCore
import Foundation
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// The same agreement as `DeltaInteropTests`, on the moto S3 server: CryptoViz commits through
/// S3 conditional puts, delta-rs appends concurrently, and delta-rs and DuckDB read the result.
@Suite struct DeltaS3InteropTests {
    @Test func referenceReadersAgreeOnS3WithConcurrentDeltaRsWriter() async throws {
        let fixture = try await S3TickTableFixture.make(bucketPrefix: "lake")
        let (url, store, table) = (fixture.url, fixture.store, fixture.table)
        let records = TickFixtures.records(count: 30)
        try await table.append(Array(records.prefix(90)), transactions: ["s3-writer": 0])

        let python = Task.detached {
            try ProcessRunner.oracle("lakehouse/delta_oracle.py",
                                     ["append", url, "--commits", "3", "--rows", "20", "--seed", "50"])
        }
        let second = try await TickTable.open(store: store)
        for (k, chunk) in stride(from: 90, to: records.count, by: 30).enumerated() {
            try await second.append(Array(records[chunk..<min(records.count, chunk + 30)]), transactions: ["s3-writer": Int64(k + 1)])
        }
        _ = try await python.value
        let snapshot = try await table.snapshot()
        #expect(snapshot.version == 1 + 3 + 3)
        #expect(try await table.compact().version != nil)

        let ours = TableSummary(try await table.ticks())
        #expect(ours.rows == records.count + 60)
        let result = try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["summary", url])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]]
        let latest = try #require(json?["latest"])
        for engine in ["deltalake", "duckdb_read_parquet", "duckdb_delta_scan"] {
            let theirs = try TableSummary(json: latest[engine])
            #expect(theirs.matches(ours), "\(engine) on S3: \(theirs) vs CryptoViz \(ours)")
        }
    }
}
