import CryptoVizCore
import Foundation
import ObjectStore
import Parquet
@testable import Lakehouse
import Testing
import TestSupport

/// Compaction's column merge: files whose time ranges overlap (the k-way path), bins bounded by
/// the target size, and the (asset, time) order of every file written.
@Suite struct TickMergeTests {
    /// The asset and source time of every row of a data file, in file order.
    private func keys(_ store: LocalFileStore, _ snapshot: TickSnapshot, _ file: AddFile) async throws -> [(String, Int64)] {
        let bytes = try await store.get(snapshot.table.dataKey(file.relativeKey))
        let batch = try TickFileCodec.decode(bytes, columns: [.asset, .sourceTime], partition: file.partitionValues, path: file.path)
        return zip(batch.strings(.asset) ?? [], batch.int64s(.sourceTime) ?? []).map { ($0, $1) }
    }

    private func isOrdered(_ keys: [(String, Int64)]) -> Bool {
        zip(keys, keys.dropFirst()).allSatisfy { a, b in
            a.0 == b.0 ? a.1 <= b.1 : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
        }
    }

    @Test func overlappingFilesMergeIntoOneSortedFilePerPartition() async throws {
        let (store, _) = try TickFixtures.localStore("tick-merge")
        let table = try await TickTable.open(store: store)
        var records = TickFixtures.records(count: 400, stepMillis: 1_000)
        var generator = SeededGenerator(seed: 5)
        records.shuffle(using: &generator)
        // Seven appends of shuffled rows: every file spans the whole time range of each asset.
        for chunk in stride(from: 0, to: records.count, by: records.count / 7 + 1) {
            try await table.append(Array(records[chunk..<min(records.count, chunk + records.count / 7 + 1)]))
        }
        let result = try await table.compact()
        let after = try await table.snapshot()
        #expect(result.filesRemoved == 7 * after.partitions().count)
        #expect(after.delta.activeFiles.count == after.partitions().count)
        #expect(Set(try await after.ticks()) == Set(records))
        for file in after.delta.files {
            let rows = try await keys(store, after, file)
            #expect(isOrdered(rows), "file \(file.path) is not sorted by asset then time")
        }
    }

    @Test func binsBoundByTheTargetSizeEachWrittenSorted() async throws {
        let (store, _) = try TickFixtures.localStore("tick-merge-bins")
        let table = try await TickTable.open(store: store)
        let records = TickFixtures.records(count: 600, stepMillis: 1_000)
        for chunk in stride(from: 0, to: records.count, by: 300) {
            try await table.append(Array(records[chunk..<min(records.count, chunk + 300)]))
        }
        let before = try await table.snapshot()
        let sizes = before.delta.files.map(\.size)
        // A target of about three files: each partition's files go into several bins.
        let target = 3 * (sizes.max() ?? 1)
        let result = try await table.compact(targetFileBytes: target)
        let after = try await table.snapshot()
        #expect(result.filesAdded > after.partitions().count)
        #expect(result.filesAdded < result.filesRemoved)
        #expect(Set(try await after.ticks()) == Set(records))
        for file in after.delta.files {
            #expect(isOrdered(try await keys(store, after, file)))
        }
        // Time travel to before the compaction still reads the original rows.
        #expect(Set(try await table.snapshot(version: before.version).ticks()) == Set(records))
    }

    @Test func eventIDsWrittenInOneBufferAreTheirDescriptions() {
        let ticks = [
            Tick(source: .binance, asset: AssetID("bitcoin"), symbol: "BTC", price: 1, sourceTimeMillis: 1_735_689_600_123, collectedTimeMillis: 0),
            Tick(source: .coinGecko, asset: AssetID("a-very-long-asset-identifier-ü"), symbol: "X", price: 2, sourceTimeMillis: -5, collectedTimeMillis: 0),
            Tick(source: .kraken, asset: AssetID("x"), symbol: "X", price: 3, sourceTimeMillis: 0, collectedTimeMillis: 0),
        ]
        let records = ticks.map { LakeRecord(tick: $0, ingestedTimeMillis: 0, processedTimeMillis: 0, busTopic: "t", busPartition: 0, busOffset: 0) }
        #expect(TickFileCodec.eventIDs(records).strings() == ticks.map(\.eventID.description))
    }
}
