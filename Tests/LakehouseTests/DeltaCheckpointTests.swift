import CryptoVizCore
import Foundation
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// Parquet checkpoints: written every 10th commit, complete (readers that have only the
/// checkpoint and later commits agree), used for time travel, read from delta-rs, and never
/// able to fail a commit.
@Suite struct DeltaCheckpointTests {
    struct CheckpointView: Decodable {
        struct Add: Decodable {
            var path: String
            var size: Int64
            var partitionValues: [String: String?]
            var stats: String?
        }
        var rows: Int
        var add: [Add]
        var remove: [String]
        var txn: [String: Int64]
        var `protocol`: [Int]?
    }

    static func summaries(_ dir: URL, versions: [String]) throws -> [String: [String: TableSummary]] {
        let result = try ProcessRunner.oracle("lakehouse/delta_oracle.py",
                                              ["summary", dir.path] + versions.flatMap { ["--version", $0] })
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]]
        var out: [String: [String: TableSummary]] = [:]
        for (label, engines) in json ?? [:] {
            for engine in ["deltalake", "duckdb_read_parquet", "duckdb_delta_scan"] where engines[engine] != nil {
                out[label, default: [:]][engine] = try TableSummary(json: engines[engine])
            }
        }
        return out
    }

    static func expectAgreement(_ ours: TableSummary, _ theirs: [String: TableSummary]?, _ stage: String) {
        #expect(theirs?.isEmpty == false, "no reference summary at \(stage)")
        for (engine, summary) in theirs ?? [:] {
            #expect(summary.matches(ours), "\(engine) at \(stage): \(summary) vs CryptoViz \(ours)")
        }
    }

    static func logFile(_ dir: URL, _ name: String) -> URL {
        dir.appendingPathComponent("_delta_log").appendingPathComponent(name)
    }

    static func name(_ version: Int64, _ suffix: String) -> String {
        String(repeating: "0", count: 20 - String(version).count) + String(version) + suffix
    }

    /// Deletes the JSON commits below `version` (what log cleanup after a checkpoint does).
    static func deleteCommits(in dir: URL, below version: Int64) throws {
        for v in 0..<version {
            try FileManager.default.removeItem(at: logFile(dir, name(v, ".json")))
        }
    }

    @Test func tableOfTwentySevenCommitsIsReadableFromItsCheckpointAlone() async throws {
        let (store, dir) = try TickFixtures.localStore("checkpoint-tick")
        let table = try await TickTable.open(store: store)
        var records: [LakeRecord] = []
        for k in 0..<26 {
            let batch = TickFixtures.records(count: 3, offset: k * 3)
            records += batch
            try await table.append(batch, transactions: ["stream-\(k % 3)": Int64(k)])
            if k == 13 { try #require(try await table.compact(minFiles: 2).version != nil) }  // tombstones
        }
        let latest = try await table.snapshot()
        #expect(latest.delta.version == 27)

        // Checkpoints at 10 and 20, and the pointer names 20 with its size.
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: Self.logFile(dir, Self.name(10, ".checkpoint.parquet")).path))
        #expect(fm.fileExists(atPath: Self.logFile(dir, Self.name(20, ".checkpoint.parquet")).path))
        #expect(!fm.fileExists(atPath: Self.logFile(dir, Self.name(25, ".checkpoint.parquet")).path))
        let pointer = try #require(LastCheckpoint(json: Array(try Data(contentsOf: Self.logFile(dir, "_last_checkpoint")))))
        #expect(pointer.version == 20)

        // pyarrow reads the checkpoint: it holds exactly version 20's state.
        let at20 = try await table.snapshot(version: 20).delta
        let view = try JSONDecoder().decode(CheckpointView.self, from: Data(try ProcessRunner.oracle(
            "lakehouse/delta_oracle.py", ["read-checkpoint", Self.logFile(dir, Self.name(20, ".checkpoint.parquet")).path]).stdout.utf8))
        #expect(Int64(view.rows) == pointer.size)
        #expect(Int64(view.add.count) == pointer.numOfAddFiles)
        #expect(view.add.map(\.path) == at20.files.map(\.path))
        #expect(view.add.map(\.size) == at20.files.map(\.size))
        #expect(view.add.map(\.partitionValues) == at20.files.map(\.partitionValues))
        #expect(view.add.map(\.stats) == at20.files.map(\.stats))
        #expect(view.remove.count == at20.tombstones.count && !view.remove.isEmpty)
        #expect(view.txn == at20.transactions.mapValues(\.version))
        #expect(view.protocol == [1, 2])

        let ourLatest = TableSummary(try await table.ticks())
        #expect(ourLatest == TableSummary(records))
        let ourAt15 = TableSummary(try await table.snapshot(version: 15).ticks())
        let ourAt23 = TableSummary(try await table.snapshot(version: 23).ticks())
        let reference = try Self.summaries(dir, versions: ["latest", "15", "23"])
        Self.expectAgreement(ourLatest, reference["latest"], "latest")
        Self.expectAgreement(ourAt15, reference["15"], "version 15 (between checkpoints)")
        Self.expectAgreement(ourAt23, reference["23"], "version 23")

        // A fresh handle travels to 15 from checkpoint 10 and to 23 from checkpoint 20.
        let fresh = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        #expect(TableSummary(try await fresh.snapshot(version: 15).ticks()) == ourAt15)
        #expect(TableSummary(try await fresh.snapshot(version: 23).ticks()) == ourAt23)

        // A copy without the commits before the last checkpoint reads the same everywhere.
        let copy = try TestEnvironment.temporaryDirectory("checkpoint-copy").appendingPathComponent("t")
        try fm.copyItem(at: dir, to: copy)
        try Self.deleteCommits(in: copy, below: 20)
        let copied = try await TickTable.openExisting(store: try LocalFileStore(root: copy.path))
        let copiedSnapshot = try await copied.snapshot()
        #expect(copiedSnapshot.delta.version == 27)
        #expect(copiedSnapshot.transactionVersion(appId: "stream-1") == 25)
        #expect(TableSummary(try await copiedSnapshot.ticks()) == ourLatest)
        #expect(TableSummary(try await copied.snapshot(version: 23).ticks()) == ourAt23)
        await #expect(throws: LakehouseError.self) { try await copied.snapshot(version: 15) }
        Self.expectAgreement(ourLatest, try Self.summaries(copy, versions: ["latest"])["latest"], "copy without early commits")

        // Without `_last_checkpoint`, or with a corrupt one, the listing finds checkpoint 20.
        try FileManager.default.removeItem(at: Self.logFile(copy, "_last_checkpoint"))
        let listed = try await TickTable.openExisting(store: try LocalFileStore(root: copy.path))
        #expect(TableSummary(try await listed.ticks()) == ourLatest)
        try Data("{not json".utf8).write(to: Self.logFile(copy, "_last_checkpoint"))
        let corrupt = try await TickTable.openExisting(store: try LocalFileStore(root: copy.path))
        #expect(TableSummary(try await corrupt.ticks()) == ourLatest)

        // Writing on in the copy continues the log and its checkpoints.
        try await copied.append(TickFixtures.records(count: 1, offset: 500))
        #expect(try await copied.snapshot().delta.version == 28)
    }

    @Test func corruptCheckpointFallsBackToAnOlderOneAndJSON() async throws {
        let (store, dir) = try TickFixtures.localStore("checkpoint-corrupt")
        let table = try await TickTable.open(store: store)
        var records: [LakeRecord] = []
        for k in 0..<21 {
            let batch = TickFixtures.records(count: 1, offset: k)
            records += batch
            try await table.append(batch)
        }
        // Version 20's checkpoint is garbage; the pointer still names it.
        let bytes = Array(try Data(contentsOf: Self.logFile(dir, Self.name(20, ".checkpoint.parquet"))))
        try Data(bytes.prefix(bytes.count / 2) + Array("PAR1".utf8)).write(to: Self.logFile(dir, Self.name(20, ".checkpoint.parquet")))
        let reopened = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        #expect(TableSummary(try await reopened.ticks()) == TableSummary(records))
        #expect(try await reopened.snapshot().delta.version == 21)
    }

    @Test func failingToWriteACheckpointNeverFailsTheCommitAndIsRetried() async throws {
        let (store, dir) = try TickFixtures.localStore("checkpoint-fail")
        let table = try await TickTable.open(store: store)
        // A directory where checkpoint 10 would go makes its write fail for real.
        try FileManager.default.createDirectory(at: Self.logFile(dir, Self.name(10, ".checkpoint.parquet")).appendingPathComponent("blocker"),
                                                withIntermediateDirectories: true)
        for k in 0..<11 { try await table.append(TickFixtures.records(count: 1, offset: k)) }
        #expect(try await table.snapshot().delta.version == 11)
        let pointer = try #require(LastCheckpoint(json: Array(try Data(contentsOf: Self.logFile(dir, "_last_checkpoint")))))
        #expect(pointer.version == 11)
        try Self.deleteCommits(in: dir, below: 11)
        let reopened = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        #expect(try await reopened.ticks().count == 11 * 6)
    }

    @Test func readsACheckpointWrittenByDeltaRs() async throws {
        let dir = try TestEnvironment.temporaryDirectory("checkpoint-deltars")
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["write", dir.path, "--rows", "120"])
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["append", dir.path, "--commits", "3", "--rows", "30", "--seed", "5"])
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["checkpoint", dir.path])
        try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["append", dir.path, "--commits", "2", "--rows", "20", "--seed", "9"])
        let expected = try Self.summaries(dir, versions: ["latest"])["latest"]?["deltalake"]
        try Self.deleteCommits(in: dir, below: 3)  // only delta-rs's checkpoint 3 and commits 4, 5 remain
        let table = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        let snapshot = try await table.snapshot()
        #expect(snapshot.delta.version == 5)
        let ours = TableSummary(try await snapshot.ticks())
        #expect(ours.rows == 120 + 3 * 30 + 2 * 20)
        #expect(expected.map { $0.matches(ours) } == true, "delta-rs \(String(describing: expected)) vs CryptoViz \(ours)")
    }

    static func checkpointVersions(_ dir: URL) throws -> [Int64] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("_delta_log").path)
            .filter { $0.hasSuffix(".checkpoint.parquet") }.compactMap { Int64($0.prefix(20)) }.sorted()
    }

    static func add(_ name: String) -> DeltaAction {
        .add(AddFile(path: "p=a/\(name).parquet", partitionValues: ["p": "a"], size: 10, modificationTime: 1, dataChange: true, stats: nil))
    }

    @Test func intervalComesFromTheTableSettingElseTheHandleAndZeroDisables() async throws {
        let (store, dir) = try TickFixtures.localStore("checkpoint-interval")
        let off = DeltaTable(store: store, logger: Logger(label: "test"), checkpointInterval: 0)
        try await off.create(schema: DeltaTableTests.schema, partitionColumns: ["p"])
        for v in Int64(1)...12 { try await off.commit(.init(actions: [Self.add("f\(v)")], operation: "WRITE", readVersion: v - 1)) }
        #expect(try Self.checkpointVersions(dir) == [])
        await off.setCheckpointInterval(3)
        for v in Int64(13)...16 { try await off.commit(.init(actions: [Self.add("f\(v)")], operation: "WRITE", readVersion: v - 1)) }
        #expect(try Self.checkpointVersions(dir) == [15])

        let (store2, dir2) = try TickFixtures.localStore("checkpoint-interval-setting")
        let table = DeltaTable(store: store2, logger: Logger(label: "test"))
        try await table.create(schema: DeltaTableTests.schema, partitionColumns: ["p"], configuration: ["delta.checkpointInterval": "4"])
        _ = try await table.latestSnapshot()
        for v in Int64(1)...9 { try await table.commit(.init(actions: [Self.add("f\(v)")], operation: "WRITE", readVersion: v - 1)) }
        #expect(try Self.checkpointVersions(dir2) == [4, 8])
    }

    @Test func checkpointKeepsOnlyTombstonesWithinTheRetention() async throws {
        let (store, dir) = try TickFixtures.localStore("checkpoint-tombstones")
        let table = DeltaTable(store: store, logger: Logger(label: "test"), checkpointInterval: 3)
        try await table.create(schema: DeltaTableTests.schema, partitionColumns: ["p"])
        try await table.commit(.init(actions: [Self.add("old"), Self.add("recent")], operation: "WRITE", readVersion: 0))
        let files = try await table.latestSnapshot().files
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await table.commit(.init(actions: [
            .remove(RemoveFile(removing: files[0], at: 1, dataChange: true)),
            .remove(RemoveFile(removing: files[1], at: now, dataChange: true)),
        ], operation: "DELETE", readVersion: 1))
        try await table.commit(.init(actions: [Self.add("kept")], operation: "WRITE", readVersion: 2))
        let bytes = Array(try Data(contentsOf: Self.logFile(dir, Self.name(3, ".checkpoint.parquet"))))
        let actions = try DeltaCheckpoint.decode(bytes, version: 3)
        let removed = actions.compactMap { if case .remove(let r) = $0 { r.path } else { nil } }
        let added = actions.compactMap { if case .add(let a) = $0 { a.path } else { nil } }
        #expect(removed == [files[1].path])
        #expect(added == ["p=a/kept.parquet"])
    }

    @Test func retentionSettingParsesDeltaIntervals() {
        #expect(DeltaTable.tombstoneRetentionMillis([:]) == DeltaTable.defaultTombstoneRetentionMillis)
        #expect(DeltaTable.tombstoneRetentionMillis(["delta.deletedFileRetentionDuration": "interval 2 days"]) == 2 * 86_400_000)
        #expect(DeltaTable.tombstoneRetentionMillis(["delta.deletedFileRetentionDuration": "interval 1 hour"]) == 3_600_000)
        #expect(DeltaTable.tombstoneRetentionMillis(["delta.deletedFileRetentionDuration": "soon"]) == DeltaTable.defaultTombstoneRetentionMillis)
    }
}
