import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Synchronization
import Testing
import TestSupport
@testable import Pipeline

/// A real on-disk store whose availability a test switches: down (every call fails at once, as
/// a refused connection) or hanging (calls wait, as a dead endpoint behind a long timeout).
final class SwitchableStore: ObjectStore {
    enum State { case up, down, hanging }
    let base: LocalFileStore
    let state = Mutex(State.up)

    init(root: URL) throws { base = try LocalFileStore(root: root.path) }

    func set(_ new: State) { state.withLock { $0 = new } }

    private func gate() async throws {
        switch state.withLock({ $0 }) {
        case .up: return
        case .down: throw ObjectStoreError(.io, "connection refused (test switch)")
        case .hanging:
            try await Task.sleep(for: .seconds(30))
            throw ObjectStoreError(.io, "timed out (test switch)")
        }
    }

    func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] { try await gate(); return try await base.get(key, range: range) }
    func head(_ key: ObjectKey) async throws -> ObjectMetadata? { try await gate(); return try await base.head(key) }
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws { try await gate(); try await base.put(key, bytes) }
    func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool { try await gate(); return try await base.putIfAbsent(key, bytes) }
    func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        try await gate()
        return try await base.list(prefix: prefix, delimiter: delimiter, continuationToken: continuationToken, maxKeys: maxKeys)
    }
    func delete(_ keys: [ObjectKey]) async throws { try await gate(); try await base.delete(keys) }
}

@Suite struct FailoverLakeTests {
    static let base: Int64 = currentUnixMillis() - 3_600_000
    let partition0 = BusPartition(topic: BusTopics.rawData, partition: 0)
    let partition1 = BusPartition(topic: BusTopics.rawData, partition: 1)

    func appID(_ partition: BusPartition) -> String { StreamProcessor.appID(group: "g", partition: partition) }

    /// Records `offsets` of `partition`, one tick each, distinct events.
    func records(_ offsets: ClosedRange<Int64>, partition: BusPartition) -> [LakeRecord] {
        offsets.map { offset in
            let i = Int(offset) + Int(partition.partition) * 100_000
            let tick = Tick(source: .coinGecko, asset: AssetID("asset-\(i % 5)"), symbol: "A\(i % 5)", price: 100 + Double(i),
                            sourceTimeMillis: Self.base + Int64(i) * 1_000, collectedTimeMillis: Self.base + Int64(i) * 1_000 + 10)
            return LakeRecord(tick: tick, ingestedTimeMillis: tick.collectedTimeMillis, processedTimeMillis: tick.collectedTimeMillis,
                              busTopic: partition.topic, busPartition: partition.partition, busOffset: offset)
        }
    }

    func transactions(_ records: [LakeRecord]) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for r in records {
            let id = appID(BusPartition(topic: r.busTopic, partition: r.busPartition))
            result[id] = max(result[id] ?? .min, r.busOffset)
        }
        return result
    }

    struct Fixture {
        var store: SwitchableStore
        var main: TickTable
        var fallbackDirectory: URL
    }

    func fixture() async throws -> Fixture {
        let root = try TestEnvironment.temporaryDirectory("failover")
        let store = try SwitchableStore(root: root.appendingPathComponent("main"))
        let main = try await TickTable.open(store: store)
        return Fixture(store: store, main: main, fallbackDirectory: root.appendingPathComponent("fallback"))
    }

    func lake(_ f: Fixture, timeout: Duration = .seconds(5)) async throws -> FailoverLake {
        var configuration = FailoverLake.Configuration()
        configuration.commitTimeout = timeout
        configuration.drainInterval = .zero
        configuration.maxDrainInterval = .zero
        return try await FailoverLake(main: f.main, fallbackDirectory: f.fallbackDirectory, configuration: configuration,
                                      appID: { StreamProcessor.appID(group: "g", partition: $0) },
                                      logger: Logger(label: "test"))
    }

    /// Offsets of `partition` in the main table, sorted (duplicates kept).
    func mainOffsets(_ f: Fixture, _ partition: BusPartition) async throws -> [Int64] {
        try await f.main.ticks().filter { $0.busPartition == partition.partition }.map(\.busOffset).sorted()
    }

    @Test func commitsToTheMainTableWhileItAnswers() async throws {
        let f = try await fixture()
        let lake = try await lake(f)
        await lake.setOwned([partition0])
        let batch = records(0...9, partition: partition0)
        let version = try await lake.append(batch, transactions: transactions(batch))
        #expect(version >= 1)
        #expect(try await mainOffsets(f, partition0) == Array(0...9))
        #expect(!FileManager.default.fileExists(atPath: f.fallbackDirectory.path))
        #expect(await lake.fallbackStats()?.usingFallback == false)
    }

    @Test func keepsBatchesLocallyWhileTheLakeIsDownAndDrainsThemOnceWhenItReturns() async throws {
        let f = try await fixture()
        let lake = try await lake(f)
        await lake.setOwned([partition0, partition1])
        let first = records(0...9, partition: partition0)
        _ = try await lake.append(first, transactions: transactions(first))

        f.store.set(.down)
        let second = records(10...19, partition: partition0) + records(0...4, partition: partition1)
        #expect(try await lake.append(second, transactions: transactions(second)) == -1)
        let third = records(20...24, partition: partition0)
        _ = try await lake.append(third, transactions: transactions(third))
        let stats = try #require(await lake.fallbackStats())
        #expect(stats.usingFallback && stats.fallbackPendingRecords == 20)
        #expect(try await lake.transactionVersion(appId: appID(partition0)) == 24, "resume after what the fallback holds")

        await lake.maintain()
        #expect(await lake.fallbackStats()?.fallbackPendingRecords == 20, "still down: nothing drained")

        f.store.set(.up)
        await lake.maintain()
        #expect(try await mainOffsets(f, partition0) == Array(0...24))
        #expect(try await mainOffsets(f, partition1) == Array(0...4))
        #expect(try await f.main.transactionVersion(appId: appID(partition0)) == 24)
        #expect(await lake.fallbackStats()?.usingFallback == false)
        #expect(!FileManager.default.fileExists(atPath: f.fallbackDirectory.path), "the drained fallback table is removed")
    }

    @Test func aHangingLakeCountsAsDownAfterTheCommitTimeout() async throws {
        let f = try await fixture()
        let lake = try await lake(f, timeout: .milliseconds(300))
        await lake.setOwned([partition0])
        f.store.set(.hanging)
        let batch = records(0...4, partition: partition0)
        #expect(try await lake.append(batch, transactions: transactions(batch)) == -1)
        #expect(await lake.fallbackStats()?.fallbackPendingRecords == 5)
        f.store.set(.up)
        await lake.maintain()
        #expect(try await mainOffsets(f, partition0) == Array(0...4))
    }

    @Test func aRestartedProcessorDrainsWhatItsPredecessorLeftInTheFallback() async throws {
        let f = try await fixture()
        do {
            let crashed = try await lake(f)
            await crashed.setOwned([partition0])
            f.store.set(.down)
            let batch = records(0...9, partition: partition0)
            _ = try await crashed.append(batch, transactions: transactions(batch))
        }
        // The process died with the lake down; the next one starts while it is still down.
        let restarted = try await lake(f)
        #expect(try await restarted.transactionVersion(appId: appID(partition0)) == 9)
        f.store.set(.up)
        await restarted.setOwned([partition0])
        let next = records(10...14, partition: partition0)
        _ = try await restarted.append(next, transactions: transactions(next))
        #expect(try await mainOffsets(f, partition0) == Array(0...14))
        #expect(await restarted.fallbackStats()?.usingFallback == false)
    }

    @Test func rowsAnotherOwnerCommittedMeanwhileAreNotDrainedAgain() async throws {
        let f = try await fixture()
        let lake = try await lake(f)
        await lake.setOwned([partition0])
        f.store.set(.down)
        let held = records(0...9, partition: partition0)
        _ = try await lake.append(held, transactions: transactions(held))
        // The partition moved to another processor, which re-read offsets 0...6 from the bus and
        // committed them while this one was cut off from the lake.
        await lake.setOwned([])
        f.store.set(.up)
        let other = records(0...6, partition: partition0)
        _ = try await f.main.append(other, transactions: transactions(other))
        await lake.maintain()
        #expect(try await mainOffsets(f, partition0) == Array(0...6), "no drain of a partition owned elsewhere")

        // It comes back here: only offsets above the lake's version are drained.
        await lake.setOwned([partition0])
        await lake.maintain()
        #expect(try await mainOffsets(f, partition0) == Array(0...9))
        #expect(await lake.fallbackStats()?.skippedCommitted == 7)
    }

    @Test func heldRowsAreDroppedOnceTheLakeCoversThemFromElsewhere() async throws {
        let f = try await fixture()
        let lake = try await lake(f)
        await lake.setOwned([partition0, partition1])
        f.store.set(.down)
        let held = records(0...4, partition: partition1)
        _ = try await lake.append(held, transactions: transactions(held))
        await lake.setOwned([partition0])
        f.store.set(.up)
        let other = records(0...4, partition: partition1)
        _ = try await f.main.append(other, transactions: transactions(other))
        let mine = records(0...2, partition: partition0)
        _ = try await lake.append(mine, transactions: transactions(mine))
        #expect(await lake.fallbackStats()?.usingFallback == false)
        #expect(try await mainOffsets(f, partition1) == Array(0...4))
        #expect(try await mainOffsets(f, partition0) == Array(0...2))
    }
}
