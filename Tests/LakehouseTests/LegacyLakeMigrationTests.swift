import Foundation
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// A lake written before per-table folders (tick table at the root) opens as a lake with its
/// tick table under `ticks/`, every version, checkpoint and txn kept, whether the migration
/// runs in one go or a crash stops it after any of its steps.
@Suite struct LegacyLakeMigrationTests {
    /// What a legacy lake held before migration: rows and txn versions per table version.
    struct Legacy {
        var rowsAt: [Int64: Int] = [:]
        var txnsAt: [Int64: [String: Int64]] = [:]
        var latest: Int64 = 0
        var checkpoint: Int64 = 0
        /// Commit time of every version (log file modification time, ms).
        var commitTimes: [Int64: Int64] = [:]
    }

    static let apps = ["g/crypto-raw-data/0", "g/crypto-raw-data/1"]

    /// A tick table at the root of `store`: five appends with txns, a checkpoint at version 3,
    /// a sixth append after it (so opening needs checkpoint + JSON), and a compaction.
    static func makeLegacyLake(_ store: any ObjectStore) async throws -> Legacy {
        let table = try await TickTable.open(store: store)
        var legacy = Legacy()
        var rows = 0
        for batch in 0..<6 {
            let records = TickFixtures.records(count: 5, offset: batch * 5)
            rows += records.count
            let version = try await table.append(records, transactions: [apps[batch % 2]: Int64(batch * 100)])
            legacy.rowsAt[version] = rows
            legacy.txnsAt[version] = try await table.snapshot().delta.transactions.mapValues(\.version)
            if batch == 2 {
                try await table.delta.writeCheckpoint(version: version)
                legacy.checkpoint = version
            }
        }
        let compacted = try #require(try await table.compact().version)
        legacy.rowsAt[compacted] = rows
        legacy.txnsAt[compacted] = legacy.txnsAt[compacted - 1]
        legacy.latest = compacted
        for commit in try await table.delta.listCommits() { legacy.commitTimes[commit.version] = commit.timestampMillis }
        return legacy
    }

    /// Opens the lake (which migrates or finishes) and checks every version with our reader,
    /// and that nothing of the old table is left at the root.
    static func expectMigrated(_ store: any ObjectStore, _ legacy: Legacy, _ stage: String) async throws {
        let lake = try await Lake.open(store: store)
        let ticks = try await lake.existingTicks()
        if store is LocalFileStore {
            // On disk the copies keep their commit times, so time travel by timestamp is unchanged.
            var times: [Int64: Int64] = [:]
            for commit in try await ticks.delta.listCommits() { times[commit.version] = commit.timestampMillis }
            #expect(times == legacy.commitTimes, "\(stage): commit times")
            for (version, time) in legacy.commitTimes where legacy.commitTimes.values.filter({ $0 == time }).count == 1 {
                #expect(try await ticks.snapshot(asOfMillis: time).version == version, "\(stage): as of \(time)")
            }
        }
        #expect(ticks.delta.root == "ticks/")
        #expect(try await ticks.snapshot().version == legacy.latest, "\(stage)")
        for (version, rows) in legacy.rowsAt {
            let snapshot = try await ticks.snapshot(version: version)
            #expect(try await snapshot.ticks().count == rows, "\(stage): rows at version \(version)")
            #expect(snapshot.delta.transactions.mapValues(\.version) == legacy.txnsAt[version], "\(stage): txns at \(version)")
        }
        for app in apps {
            #expect(try await ticks.transactionVersion(appId: app) == legacy.txnsAt[legacy.latest]?[app], "\(stage)")
        }
        #expect(try await store.head(ticks.delta.checkpointKey(legacy.checkpoint)) != nil, "\(stage): checkpoint copied")
        #expect(try await store.head(ticks.delta.lastCheckpointKey) != nil, "\(stage): _last_checkpoint copied")
        let leftovers = try await store.listAll(prefix: "").map(\.key.rawValue).filter { !$0.hasPrefix("ticks/") }
        #expect(leftovers.isEmpty, "\(stage): left at the root: \(leftovers)")
        // The migrated table keeps taking writes with the exactly-once versions it had.
        let next = try await ticks.append(TickFixtures.records(count: 1, offset: 90), transactions: [apps[0]: 9_999])
        #expect(next == legacy.latest + 1)
        #expect(try await ticks.transactionVersion(appId: apps[0]) == 9_999)
    }

    /// delta-rs reads the migrated table's versions and txns as ours does.
    static func expectDeltaRsAgrees(_ tableURL: String, _ legacy: Legacy) throws {
        let versions = legacy.rowsAt.keys.sorted().map(String.init)
        let summary = try ProcessRunner.oracle("lakehouse/delta_oracle.py",
                                               ["summary", tableURL] + versions.flatMap { ["--version", $0] }).stdout
        let json = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: [String: Any]]
        for (version, rows) in legacy.rowsAt {
            #expect(try TableSummary(json: json?[String(version)]?["deltalake"]).rows == rows, "delta-rs at \(version): \(summary)")
        }
        let txns = try ProcessRunner.oracle("lakehouse/candles_oracle.py", ["txns", tableURL] + apps.flatMap { ["--app", $0] }).stdout
        let txnJSON = try JSONSerialization.jsonObject(with: Data(txns.utf8)) as? [String: Any]
        // The one append after migration (txn 9 999 for apps[0]) is the latest version.
        #expect(txnJSON?["version"] as? Int == Int(legacy.latest + 1), "\(txns)")
        let found = txnJSON?["txns"] as? [String: Int]
        #expect(found?[apps[0]] == 9_999 && found?[apps[1]] == legacy.txnsAt[legacy.latest]?[apps[1]].map(Int.init), "\(txns)")
    }

    /// The steps in order, as a crash could stop them.
    static func steps(_ migration: LegacyLakeMigration) -> [() async throws -> Void] {
        [
            { try await migration.copyDataFiles() },
            { try await migration.copyLog() },
            { try await migration.markCopied() },
            { try await migration.retireRootLog() },
            { try await migration.removeRootDataFiles() },
        ]
    }

    @Test func migratesALegacyLocalLakeKeepingVersionsCheckpointsAndTxns() async throws {
        let (store, dir) = try TickFixtures.localStore("migrate-local")
        let legacy = try await Self.makeLegacyLake(store)
        #expect(try await LegacyLakeMigration(store: store, logger: Logger(label: "test")).needsMigration())
        try await Self.expectMigrated(store, legacy, "one go")
        try Self.expectDeltaRsAgrees(dir.appendingPathComponent("ticks").path, legacy)
        // Opening again is a no-op.
        #expect(try await LegacyLakeMigration(store: store, logger: Logger(label: "test")).run() == .notNeeded)
    }

    @Test(arguments: 1...5)
    func reopeningAfterACrashCompletesTheMigration(stepsDone: Int) async throws {
        let (store, _) = try TickFixtures.localStore("migrate-crash-\(stepsDone)")
        let legacy = try await Self.makeLegacyLake(store)
        let migration = LegacyLakeMigration(store: store, logger: Logger(label: "test"))
        for step in Self.steps(migration).prefix(stepsDone) { try await step() }
        if stepsDone < 3 {
            // Before the marker the old lake is intact: still a readable table at the root.
            let old = try await TickTable.openExisting(store: store)
            #expect(try await old.snapshot().version == legacy.latest)
            #expect(try await old.ticks().count == legacy.rowsAt[legacy.latest])
        } else {
            #expect(try await store.head(LegacyLakeMigration.markerKey) != nil)
        }
        try await Self.expectMigrated(store, legacy, "after \(stepsDone) steps")
    }

    @Test func aCrashHalfwayThroughRetiringTheRootLogIsFinished() async throws {
        let (store, _) = try TickFixtures.localStore("migrate-half-retired")
        let legacy = try await Self.makeLegacyLake(store)
        let migration = LegacyLakeMigration(store: store, logger: Logger(label: "test"))
        try await migration.copyDataFiles()
        try await migration.copyLog()
        try await migration.markCopied()
        // Only some of the root log goes before the "crash": the root now looks like a broken table.
        let rootLog = try await store.listAll(prefix: "_delta_log/").map(\.key)
        try await store.delete(Array(rootLog.prefix(rootLog.count / 2)))
        #expect(try await LegacyLakeMigration(store: store, logger: Logger(label: "test")).run() == .finished)
        try await Self.expectMigrated(store, legacy, "half retired")
    }

    /// A root table beside a different `ticks/` table (an old binary kept writing at the root
    /// after an upgrade): the migration refuses to overwrite either, and changes nothing.
    @Test func refusesToCopyOverADifferentTicksTable() async throws {
        let (store, _) = try TickFixtures.localStore("migrate-conflict")
        _ = try await Self.makeLegacyLake(store)
        let other = try await TickTable.open(store: store, root: "ticks")
        try await other.append(TickFixtures.records(count: 3, offset: 70))
        let before = try await store.listAll(prefix: "").map(\.key)
        await #expect(performing: { try await Lake.open(store: store) }, throws: { error in
            guard let error = error as? LakehouseError else { return false }
            return error.code == .invalidArgument && error.message.contains("another in ticks/")
        })
        #expect(try await store.listAll(prefix: "").map(\.key) == before)
        #expect(try await other.ticks().count == 18)
    }

    @Test func aLakeInTheNewLayoutIsLeftAlone() async throws {
        let (store, _) = try TickFixtures.localStore("migrate-none")
        let lake = try await Lake.open(store: store)
        try await lake.ticks().append(TickFixtures.records(count: 2))
        let before = try await store.listAll(prefix: "").map(\.key)
        #expect(try await LegacyLakeMigration(store: store, logger: Logger(label: "test")).run() == .notNeeded)
        #expect(try await store.listAll(prefix: "").map(\.key) == before)
        #expect(before.allSatisfy { $0.rawValue.hasPrefix("ticks/") })
    }

    @Test func migratesALegacyLakeOnS3AndSurvivesACrash() async throws {
        let environment = S3TestCredentials.environment(endpoint: try TestEnvironment.s3Endpoint())
        for stepsDone in [0, 2, 4] {
            let bucket = "migrate-\(stepsDone)-\(UUID().uuidString.prefix(8).lowercased())"
            try await S3ObjectStore(configuration: try S3Configuration(bucket: bucket, environment: environment)).createBucket()
            let url = "s3://\(bucket)/lake"
            let store = try makeObjectStore(url: url, environment: environment)
            let legacy = try await Self.makeLegacyLake(store)
            let migration = LegacyLakeMigration(store: store, logger: Logger(label: "test"))
            for step in Self.steps(migration).prefix(stepsDone) { try await step() }
            try await Self.expectMigrated(store, legacy, "S3 after \(stepsDone) steps")
            if stepsDone == 2 { try Self.expectDeltaRsAgrees(url + "/ticks", legacy) }
        }
    }
}
