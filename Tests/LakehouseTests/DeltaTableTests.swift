import Foundation
import Logging
import ObjectStore
import Testing
@testable import Lakehouse

@Suite struct DeltaTableTests {
    static let schema = DeltaSchema(fields: [.init(name: "x", type: .long), .init(name: "p", type: .string)])

    func file(_ name: String) -> AddFile {
        AddFile(path: "p=a/\(name).parquet", partitionValues: ["p": "a"], size: 10, modificationTime: 1,
                dataChange: true, stats: nil)
    }

    @Test func racingCreatorsBothSucceedAndOneCreates() async throws {
        let (store, _) = try TickFixtures.localStore("delta-create")
        let a = DeltaTable(store: store, logger: Logger(label: "test"))
        let b = DeltaTable(store: store, logger: Logger(label: "test"))
        async let ca = a.create(schema: Self.schema, partitionColumns: ["p"])
        async let cb = b.create(schema: Self.schema, partitionColumns: ["p"])
        let created = try await [ca, cb]
        #expect(created.filter { $0 }.count == 1)
        let snapshot = try await a.latestSnapshot()
        #expect(snapshot.version == 0)
        #expect(snapshot.partitionColumns == ["p"])
        #expect(snapshot.schema == Self.schema)
    }

    @Test func concurrentBlindAppendsFromSeparateHandlesAllCommit() async throws {
        let (store, _) = try TickFixtures.localStore("delta-race")
        try await DeltaTable(store: store, logger: Logger(label: "test")).create(schema: Self.schema, partitionColumns: ["p"])
        let handles = (0..<4).map { _ in DeltaTable(store: store, logger: Logger(label: "test")) }
        let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<24 {
                let handle = handles[i % handles.count]
                group.addTask {
                    // Every writer read version 0: all but one lose at least one race.
                    try await handle.commit(.init(actions: [.add(self.file("f\(i)"))], operation: "WRITE", readVersion: 0))
                }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(versions.sorted() == Array(1...24))
        let snapshot = try await handles[0].latestSnapshot()
        #expect(snapshot.version == 24)
        #expect(snapshot.activeFiles.count == 24)
    }

    @Test func concurrentRemovesOfTheSameFileConflict() async throws {
        let (store, _) = try TickFixtures.localStore("delta-conflict")
        let table = DeltaTable(store: store, logger: Logger(label: "test"))
        try await table.create(schema: Self.schema, partitionColumns: ["p"])
        let f = file("shared")
        try await table.commit(.init(actions: [.add(f)], operation: "WRITE", readVersion: 0))
        let remove = DeltaAction.remove(RemoveFile(removing: f, at: 1, dataChange: false))
        _ = try await table.commit(.init(actions: [remove, .add(file("c1"))], operation: "OPTIMIZE", readVersion: 1))
        let error = await #expect(throws: LakehouseError.self) {
            try await table.commit(.init(actions: [remove, .add(file("c2"))], operation: "OPTIMIZE", readVersion: 1))
        }
        #expect(error?.code == .concurrentModification)
        let snapshot = try await table.latestSnapshot()
        #expect(snapshot.version == 2)
        #expect(Set(snapshot.activeFiles.keys) == ["p=a/c1.parquet"])
    }

    @Test func concurrentTransactionsOfTheSameStreamConflict() async throws {
        let (store, _) = try TickFixtures.localStore("delta-txn")
        let table = DeltaTable(store: store, logger: Logger(label: "test"))
        try await table.create(schema: Self.schema, partitionColumns: ["p"])
        let txn = DeltaAction.txn(TransactionAction(appId: "g/t/0", version: 10, lastUpdated: 1))
        _ = try await table.commit(.init(actions: [txn], operation: "WRITE", readVersion: 0))
        await #expect(throws: LakehouseError.self) {
            try await table.commit(.init(actions: [txn], operation: "WRITE", readVersion: 0))
        }
        // A different stream's transaction is a blind append and goes through.
        let other = DeltaAction.txn(TransactionAction(appId: "g/t/1", version: 3, lastUpdated: 1))
        #expect(try await table.commit(.init(actions: [other], operation: "WRITE", readVersion: 0)) == 2)
        let snapshot = try await table.latestSnapshot()
        #expect(snapshot.transactionVersion("g/t/0") == 10)
        #expect(snapshot.transactionVersion("g/t/1") == 3)
    }

    @Test func timeTravelByVersionAndTimestamp() async throws {
        let (store, _) = try TickFixtures.localStore("delta-travel")
        let table = DeltaTable(store: store, logger: Logger(label: "test"))
        try await table.create(schema: Self.schema, partitionColumns: ["p"])
        for i in 1...3 {
            try await table.commit(.init(actions: [.add(file("f\(i)"))], operation: "WRITE", readVersion: Int64(i - 1)))
        }
        _ = try await table.latestSnapshot()
        let v2 = try await table.snapshot(version: 2)
        #expect(v2.activeFiles.count == 2)
        let asOf = try await table.snapshot(asOfMillis: v2.timestampMillis)
        #expect(asOf.version >= 2)
        #expect(try await table.snapshot(asOfMillis: Int64.max).version == 3)
        await #expect(throws: LakehouseError.self) { try await table.snapshot(version: 9) }
        await #expect(throws: LakehouseError.self) { try await table.snapshot(asOfMillis: 0) }
    }

    @Test func corruptCommitIsReportedNotCrashed() async throws {
        let (store, _) = try TickFixtures.localStore("delta-corrupt")
        let table = DeltaTable(store: store, logger: Logger(label: "test"))
        try await table.create(schema: Self.schema, partitionColumns: ["p"])
        try await store.put(table.commitKey(1), Array("{\"add\":{\"path\":".utf8))
        let error = await #expect(throws: LakehouseError.self) { try await table.latestSnapshot() }
        #expect(error?.code == .corruptLog)
    }
}
