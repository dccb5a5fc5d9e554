import CryptoVizCore
import Foundation
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// delta-rs and DuckDB (delta_scan, read_parquet) read CryptoViz tables and agree with its
/// own scans; CryptoViz reads tables delta-rs wrote; writers of both kinds share a table.
@Suite struct DeltaInteropTests {
    /// Runs the oracle's summary for the versions and returns engine → summary per label.
    func referenceSummaries(_ table: String, versions: [String]) throws -> [String: [String: TableSummary]] {
        let result = try ProcessRunner.oracle("lakehouse/delta_oracle.py",
                                              ["summary", table] + versions.flatMap { ["--version", $0] })
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]]
        var out: [String: [String: TableSummary]] = [:]
        for (label, engines) in json ?? [:] {
            for engine in ["deltalake", "duckdb_read_parquet", "duckdb_delta_scan"] where engines[engine] != nil {
                out[label, default: [:]][engine] = try TableSummary(json: engines[engine])
            }
        }
        return out
    }

    func expectAgreement(_ ours: TableSummary, _ theirs: [String: TableSummary]?, _ stage: String) {
        #expect(theirs?.isEmpty == false, "no reference summary at \(stage)")
        for (engine, summary) in theirs ?? [:] {
            #expect(summary.matches(ours), "\(engine) at \(stage): \(summary) vs CryptoViz \(ours)")
        }
    }

    @Test func referenceReadersAgreeAtLatestAfterCompactionVacuumAndTimeTravel() async throws {
        let (store, dir) = try TickFixtures.localStore("interop-local")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 80)
        for chunk in stride(from: 0, to: records.count, by: 120) {
            try await table.append(Array(records[chunk..<min(records.count, chunk + 120)]))
        }
        let v2 = try await table.snapshot(version: 2)
        let ourV2 = TableSummary(try await v2.ticks())
        let ourLatest = TableSummary(try await table.ticks())
        #expect(ourLatest == TableSummary(records))

        var reference = try referenceSummaries(dir.path, versions: ["latest", "2"])
        expectAgreement(ourLatest, reference["latest"], "latest")

        // A filtered delta_scan skips files by CryptoViz's statistics and must count the same.
        let from = TickFixtures.start + 50 * 60_000
        let filtered = try ProcessRunner.oracle("lakehouse/delta_oracle.py", [
            "summary", dir.path, "--filter-asset", "bitcoin", "--filter-from-ms", String(from)])
        let filteredJSON = try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [String: [String: Any]]
        let duckCount = filteredJSON?["latest"]?["duckdb_delta_scan_filtered_rows"] as? Int
        #expect(duckCount == (try await table.ticks(asset: "bitcoin", fromMillis: from)).count)
        #expect(duckCount == records.filter { $0.tick.asset == "bitcoin" && $0.tick.sourceTimeMillis >= from }.count)
        expectAgreement(ourV2, reference["2"], "version 2")

        try #require(try await table.compact().version != nil)
        reference = try referenceSummaries(dir.path, versions: ["latest", "2"])
        expectAgreement(TableSummary(try await table.ticks()), reference["latest"], "after compaction")
        expectAgreement(ourV2, reference["2"], "version 2 after compaction")

        #expect(try await !table.vacuum(retentionMillis: 0).isEmpty)
        reference = try referenceSummaries(dir.path, versions: ["latest"])
        expectAgreement(TableSummary(try await table.ticks()), reference["latest"], "after vacuum")
        #expect(TableSummary(try await table.ticks()) == TableSummary(records))
    }

    @Test func readsATableWrittenByDeltaRs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("interop-deltars")
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["write", dir.path, "--rows", "300"])
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["write", dir.path, "--rows", "50", "--seed", "3"])
        let table = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        #expect(table.layout == .default)
        let ours = TableSummary(try await table.ticks())
        let reference = try referenceSummaries(dir.path, versions: ["latest"])
        expectAgreement(ours, reference["latest"], "delta-rs table")
        #expect(ours.rows == 350)
        let candles = try await table.candles(asset: "bitcoin", interval: .oneHour)
        #expect(candles.reduce(0) { $0 + $1.count } == (try await table.ticks(asset: "bitcoin")).count)
    }

    @Test func swiftAndDeltaRsWritersAppendingConcurrentlyLoseNoCommit() async throws {
        let (store, dir) = try TickFixtures.localStore("interop-concurrent")
        let setup = try await TickTable.open(store: store)
        let python = Task.detached {
            try ProcessRunner.oracle("lakehouse/delta_oracle.py",
                                     ["append", dir.path, "--commits", "6", "--rows", "40", "--seed", "100"])
        }
        let writers = [setup, try await TickTable.open(store: store)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers.count {
                let writer = writers[w]
                group.addTask {
                    for k in 0..<6 {
                        let batch = TickFixtures.records(count: 2, offset: (w * 6 + k) * 2)
                        try await writer.append(batch, transactions: ["writer-\(w)": Int64(k)])
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await python.value
        let snapshot = try await setup.snapshot()
        #expect(snapshot.version == 1 + 12 + 6 - 1)
        #expect(snapshot.transactionVersion(appId: "writer-0") == 5)
        #expect(snapshot.transactionVersion(appId: "writer-1") == 5)
        let ours = TableSummary(try await snapshot.ticks())
        #expect(ours.rows == 12 * 12 + 6 * 40)
        let reference = try referenceSummaries(dir.path, versions: ["latest"])
        expectAgreement(ours, reference["latest"], "after concurrent writers")
    }
}
