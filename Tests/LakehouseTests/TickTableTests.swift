import CryptoVizCore
import Foundation
import Logging
import ObjectStore
import Synchronization
import Testing
@testable import Lakehouse

@Suite struct TickTableTests {
    @Test func scansReturnExactlyTheMatchingRows() async throws {
        let (store, _) = try TickFixtures.localStore("tick-scan")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 90) // crosses midnight: two date partitions
        try await table.append(Array(records.prefix(200)))
        try await table.append(Array(records.dropFirst(200)))

        let all = try await table.ticks()
        #expect(all.count == records.count)
        #expect(Set(all) == Set(records))

        let from = TickFixtures.start + 40 * 60_000, to = TickFixtures.start + 70 * 60_000
        let btc = try await table.ticks(asset: "bitcoin", source: .binance, fromMillis: from, toMillis: to)
        let expected = records.filter {
            $0.tick.asset == "bitcoin" && $0.tick.source == .binance && $0.tick.sourceTimeMillis >= from
                && $0.tick.sourceTimeMillis < to
        }
        #expect(btc == expected.sorted { $0.tick.sourceTimeMillis < $1.tick.sourceTimeMillis })
        #expect(try await table.ticks(asset: "bitcoin", limit: 5).count == 5)

        // Pruning: the partition (day, source) has two files, one per append; the time
        // statistics leave only the second, which holds 23:33-23:59.
        let snapshot = try await table.snapshot()
        #expect(snapshot.partitions().first { $0.path == "date=2025-11-25/source=binance" }?.files == 2)
        let files = snapshot.candidateFiles(asset: "bitcoin", source: .binance, fromMillis: from, toMillis: from + 60_000)
        #expect(files.count == 1)
        #expect(try await snapshot.ticks(asset: "bitcoin", source: .binance, fromMillis: from, toMillis: from + 60_000).count == 1)
        // An asset outside every file's asset range reads nothing.
        #expect(snapshot.candidateFiles(asset: "aave").isEmpty)
    }

    @Test func rowGroupStatisticsSkipOtherAssetsWithoutDroppingRows() async throws {
        let (store, _) = try TickFixtures.localStore("tick-rowgroups")
        let table = try await TickTable.open(store: store)
        // 6000 steps of 250 ms stay within one day: 18 000 rows per source file, sorted by
        // asset, in row groups of 16 384 rows.
        let records = TickFixtures.records(count: 6000, stepMillis: 250)
        try await table.append(records)
        let snapshot = try await table.snapshot()
        let file = try #require(snapshot.delta.files.first { $0.partitionValues["source"] == "binance" })
        let bytes = try await store.get(snapshot.table.dataKey(file.relativeKey))
        let all = try TickFileCodec.decode(bytes, columns: [.asset], partition: file.partitionValues, path: file.path)
        let bitcoin = try TickFileCodec.decode(bytes, columns: [.asset], partition: file.partitionValues, path: file.path,
                                               filter: .ticks(asset: "bitcoin", fromMillis: nil, toMillis: nil))
        #expect(all.count == 18_000)
        #expect(bitcoin.count == 16_384)
        let from = TickFixtures.start + 600_000, to = TickFixtures.start + 900_000
        for asset in TickFixtures.assets {
            let expected = records.filter {
                $0.tick.asset == asset && $0.tick.source == .binance && $0.tick.sourceTimeMillis >= from && $0.tick.sourceTimeMillis < to
            }
            let rows = try await snapshot.ticks(asset: asset, source: .binance, fromMillis: from, toMillis: to)
            #expect(rows == expected.sorted { $0.tick.sourceTimeMillis < $1.tick.sourceTimeMillis })
        }
    }

    @Test func filteredScansFetchOnlyTheRowGroupsTheyNeed() async throws {
        let (store, _) = try TickFixtures.localStore("tick-ranged")
        let table = try await TickTable.open(store: store)
        // 60 000 rows per source file, sorted by asset: four row groups; solana's late rows
        // lie in the last two.
        let records = TickFixtures.records(count: 20_000, stepMillis: 50)
        try await table.append(records)
        let file = try #require(try await table.snapshot().delta.files.first { $0.partitionValues["source"] == "binance" })
        let recording = RecordingStore(base: store)
        let snapshot = try await TickTable.open(store: recording).snapshot()
        let from = TickFixtures.start + 750_000, to = TickFixtures.start + 850_000
        for asset in TickFixtures.assets {
            recording.reads.withLock { $0 = [] }
            let expected = records.filter {
                $0.tick.asset == asset && $0.tick.source == .binance && $0.tick.sourceTimeMillis >= from && $0.tick.sourceTimeMillis < to
            }
            let rows = try await snapshot.ticks(asset: asset, source: .binance, fromMillis: from, toMillis: to)
            #expect(rows == expected.sorted { $0.tick.sourceTimeMillis < $1.tick.sourceTimeMillis })
            #expect(rows.count == 2000)
            let fetched = recording.reads.withLock { $0 }.filter { $0.key.hasSuffix(".parquet") }
            if asset == "solana" {
                #expect(fetched.count >= 2 && fetched.allSatisfy { $0.range != nil }, "\(fetched)")
                #expect(fetched.reduce(0) { $0 + ($1.range?.count ?? 0) } < Int(file.size) * 6 / 10, "\(fetched)")
            }
        }
    }

    @Test(arguments: CandleInterval.allCases)
    func candlesMatchAggregatesOfTheInput(interval: CandleInterval) async throws {
        let (store, _) = try TickFixtures.localStore("tick-candles")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 30, stepMillis: 25_000)
        try await table.append(records)
        let candles = try await table.candles(asset: "ethereum", interval: interval)
        var expected: [String: [Double]] = [:]
        for r in records where r.tick.asset == "ethereum" {
            expected["\(r.tick.source)|\(interval.bucketStart(r.tick.sourceTimeMillis))", default: []].append(r.tick.price)
        }
        #expect(candles.count == expected.count)
        for c in candles {
            let prices = try #require(expected["\(c.source)|\(c.startMillis)"])
            #expect(c.open == prices.first && c.close == prices.last)
            #expect(c.high == prices.max() && c.low == prices.min() && c.count == prices.count)
            #expect(abs(c.mean - prices.reduce(0, +) / Double(prices.count)) < 1e-9)
        }
    }

    @Test func latestIsTheNewestTickPerAssetAndSource() async throws {
        let (store, _) = try TickFixtures.localStore("tick-latest")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 10)
        try await table.append(records.shuffled())
        let latest = try await table.latest()
        #expect(latest.count == TickFixtures.assets.count * TickFixtures.sources.count)
        let last = TickFixtures.start + 9 * 60_000
        #expect(latest.allSatisfy { $0.tick.sourceTimeMillis == last })
        #expect(Set(latest).isSubset(of: Set(records)))
        #expect(try await table.latest(sinceMillis: last + 1).isEmpty)
    }

    @Test func crashBeforeCommitNeitherLosesNorDuplicatesRows() async throws {
        let (store, _) = try TickFixtures.localStore("tick-exactly-once")
        let stream = "processor/crypto-raw-data/0"
        let records = TickFixtures.records(count: 40)
        let first = Array(records.prefix(120)), second = Array(records.dropFirst(120))

        let writer = try await TickTable.open(store: store)
        try await writer.append(first, transactions: [stream: first.last!.busOffset])
        // The writer dies after writing the second batch's files, before committing them.
        let orphans = try await writer.writeFiles(second)
        #expect(!orphans.isEmpty)

        // The restarted writer resumes from the committed offset and re-writes the batch.
        let restarted = try await TickTable.open(store: store)
        let committed = try #require(try await restarted.transactionVersion(appId: stream))
        #expect(committed == first.last!.busOffset)
        let pending = records.filter { $0.busOffset > committed }
        try await restarted.append(pending, transactions: [stream: pending.last!.busOffset])

        let rows = try await restarted.ticks()
        #expect(rows.count == records.count)
        #expect(Set(rows.map(\.busOffset)).count == records.count)
        #expect(try await restarted.transactionVersion(appId: stream) == records.last!.busOffset)

        // Vacuum removes exactly the orphans; the table still reads whole.
        let dry = try await restarted.vacuum(retentionMillis: 0, dryRun: true)
        #expect(Set(dry.map(\.rawValue)) == Set(orphans.map(\.relativeKey)))
        _ = try await restarted.vacuum(retentionMillis: 0)
        #expect(try await restarted.vacuum(retentionMillis: 0, dryRun: true).isEmpty)
        #expect(try await restarted.ticks().count == records.count)
    }

    @Test func compactionRewritesSmallFilesWithoutChangingRows() async throws {
        let (store, _) = try TickFixtures.localStore("tick-compact")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 60)
        for chunk in stride(from: 0, to: records.count, by: 36) {
            try await table.append(Array(records[chunk..<min(records.count, chunk + 36)]))
        }
        let before = try await table.snapshot()
        let result = try await table.compact()
        #expect(result.filesRemoved == before.delta.activeFiles.count)
        let after = try await table.snapshot()
        #expect(after.delta.activeFiles.count == after.partitions().count)
        #expect(Set(try await after.ticks()) == Set(records))
        // Time travel still sees the pre-compaction files and the same rows.
        let old = try await table.snapshot(version: before.version)
        #expect(old.delta.activeFiles.count == before.delta.activeFiles.count)
        #expect(Set(try await old.ticks()) == Set(records))
        // Nothing left to compact.
        #expect(try await table.compact().version == nil)
    }

    @Test func compactionLosingToAConcurrentCompactionAbortsCleanly() async throws {
        let (store, _) = try TickFixtures.localStore("tick-compact-race")
        let a = try await TickTable.open(store: store)
        let b = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 20)
        for chunk in stride(from: 0, to: records.count, by: 30) {
            try await a.append(Array(records[chunk..<min(records.count, chunk + 30)]))
        }
        func outcome(_ t: TickTable) async -> Result<TickTable.CompactionResult, any Error> {
            do { return .success(try await t.compact(attempts: 1)) } catch { return .failure(error) }
        }
        async let ra = outcome(a)
        async let rb = outcome(b)
        let outcomes = await [ra, rb]
        let winners = outcomes.compactMap { try? $0.get() }.filter { $0.version != nil }
        #expect(winners.count >= 1)
        for case .failure(let error) in outcomes {
            #expect((error as? LakehouseError)?.code == .concurrentModification)
        }
        #expect(Set(try await a.ticks()) == Set(records))
        // The loser deleted its own rewritten files: only the removed originals are unreferenced.
        let snapshot = try await a.snapshot()
        let unreferenced = try await a.vacuum(retentionMillis: 0, dryRun: true).map(\.rawValue)
        #expect(Set(unreferenced) == Set(snapshot.delta.tombstones.keys))
    }

    @Test func dropPartitionsRemovesOldDatesOnly() async throws {
        let (store, _) = try TickFixtures.localStore("tick-retention")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 120)
        try await table.append(records)
        let now = TickFixtures.start + 2 * 86_400_000 // 2025-11-27: only 2025-11-25 is over a day old
        let version = try await table.dropPartitions(olderThanDays: 1, nowMillis: now)
        #expect(version != nil)
        let rows = try await table.ticks()
        let secondDay = CivilDate(unixMillis: TickFixtures.start + 3_600_000)
        #expect(rows.count == records.filter { CivilDate(unixMillis: $0.tick.sourceTimeMillis) == secondDay }.count)
        #expect(try await table.dropPartitions(olderThanDays: 1, nowMillis: now) == nil)
    }

    @Test func originalLayoutPartitionsByDayAndCoin() async throws {
        let (store, dir) = try TickFixtures.localStore("tick-original")
        let table = try await TickTable.open(store: store, layout: .original)
        let records = TickFixtures.records(count: 90)
        try await table.append(records)
        #expect(table.layout == .original)
        let parts = try await table.partitions()
        #expect(parts.count == 2 * TickFixtures.assets.count * TickFixtures.sources.count)
        #expect(parts.contains { $0.path == "year=2025/month=11/day=26/source=binance/crypto=bitcoin" })
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("year=2025/month=11/day=25").path))
        #expect(Set(try await table.ticks(asset: "solana")) == Set(records.filter { $0.tick.asset == "solana" }))
        // Reopening keeps the layout the table was created with.
        #expect(try await TickTable.open(store: store, layout: .default).layout == .original)
        let info = try await table.info()
        #expect(info.rows == Int64(records.count) && info.partitions == parts.count)
    }
}

/// A real local store that records every read (key and range).
final class RecordingStore: ObjectStore {
    struct Read: Sendable {
        var key: String
        var range: Range<Int>?
    }

    let base: LocalFileStore
    let reads = Mutex<[Read]>([])

    init(base: LocalFileStore) { self.base = base }

    func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] {
        reads.withLock { $0.append(Read(key: key.rawValue, range: range)) }
        return try await base.get(key, range: range)
    }
    func head(_ key: ObjectKey) async throws -> ObjectMetadata? { try await base.head(key) }
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws { try await base.put(key, bytes) }
    func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool { try await base.putIfAbsent(key, bytes) }
    func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        try await base.list(prefix: prefix, delimiter: delimiter, continuationToken: continuationToken, maxKeys: maxKeys)
    }
    func delete(_ keys: [ObjectKey]) async throws { try await base.delete(keys) }
}
