import CryptoVizCore
import Foundation
import Logging
import ObjectStore
import Synchronization
import Testing
import TestSupport
@testable import Lakehouse

/// The candles table: round trip with pruning, file layout and statistics, exactly-once
/// transactions, the read rule for repeated keys, and the series summary.
@Suite struct CandleTableTests {
    @Test func roundTripsRecordsWithFiltersAcrossDatesAndSources() async throws {
        let (store, _) = try TickFixtures.localStore("candles-roundtrip")
        let table = try await CandleTable.open(store: store)
        let hourly = CandleFixtures.records(count: 6)
        let minutes = CandleFixtures.records(count: 5, interval: .oneMinute, isFinal: false, origin: .rollup)
        try await table.append(hourly + minutes)

        #expect(try await table.candles(interval: .oneHour) == CandleFixtures.scanOrder(hourly))
        #expect(try await table.candles(interval: .oneMinute) == CandleFixtures.scanOrder(minutes))
        #expect(try await table.candles(interval: .fiveMinutes).isEmpty)
        let from = CandleFixtures.start + 2 * 3_600_000, to = CandleFixtures.start + 4 * 3_600_000
        let filtered = try await table.candles(asset: "ethereum", source: .binance, interval: .oneHour, fromMillis: from, toMillis: to)
        #expect(filtered == CandleFixtures.scanOrder(hourly.filter {
            $0.asset == "ethereum" && $0.source == .binance && $0.openTimeMillis >= from && $0.openTimeMillis < to
        }))
        #expect(filtered.count == 2)
        #expect(filtered.allSatisfy { $0.tradeCount != nil && $0.marketCap == nil })

        // One file per (date, source); the date is the UTC date of the open time.
        let snapshot = try await table.snapshot()
        let files = snapshot.delta.files
        #expect(Set(files.map { "\($0.partitionValues["date"]! ?? "")/\($0.partitionValues["source"]! ?? "")" }) ==
                ["2025-11-25/binance", "2025-11-25/coingecko", "2025-11-26/binance", "2025-11-26/coingecko"])
        #expect(files.allSatisfy { $0.path.hasPrefix("date=") })
        // Pruning: a day-two query for one source touches one file.
        #expect(snapshot.candidateFiles(source: .binance, interval: .oneHour, fromMillis: CandleFixtures.start + 3 * 3_600_000).count == 1)

        for file in files {
            let stats = try #require(file.parsedStatistics())
            let bytes = try await store.get(table.delta.dataKey(file.relativeKey))
            let batch = try CandleFileCodec.decode(bytes, columns: CandleColumn.allCases.map(\.rawValue),
                                                   partition: file.partitionValues, path: file.path)
            #expect(Int64(batch.count) == stats.numRecords)
            #expect(batch.columns["source"] == nil, "source is a partition column only")
            // Rows sorted by asset, interval, open time.
            let keys = (0..<batch.count).map { (batch.strings(.asset)![$0], batch.strings(.interval)![$0], batch.int64s(.openTime)![$0]) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }, "\(file.path)")
            let times = batch.int64s(.openTime)!
            #expect(stats.timestampRange("open_time") == times.min()!...(times.max()! + 1))
            #expect(stats.stringRange("asset") == "bitcoin"..."ethereum")
            let source = file.partitionValues["source"]! ?? ""
            #expect(stats.nullCount["trade_count"] == .int(source == "binance" ? 0 : stats.numRecords))
        }
    }

    @Test func commitsTransactionsExactlyOnce() async throws {
        let (store, _) = try TickFixtures.localStore("candles-txn")
        let table = try await CandleTable.open(store: store)
        #expect(try await table.transactionVersion(appId: "backfill/binance/bitcoin/1h") == nil)
        let v1 = try await table.append(CandleFixtures.records(count: 2), transactions: ["backfill/binance/bitcoin/1h": 7])
        #expect(v1 == 1)
        #expect(try await table.transactionVersion(appId: "backfill/binance/bitcoin/1h") == 7)
        let v2 = try await table.append([], transactions: ["backfill/binance/bitcoin/1h": 8])
        #expect(v2 == 2)
        let filesAtV1 = try await table.snapshot(version: 1).delta.files.count
        #expect(try await table.snapshot().delta.files.count == filesAtV1, "a txn-only commit adds no file")
        #expect(try await table.append([]) == 2, "nothing to commit")
        let reopened = try await CandleTable.open(store: store)
        #expect(try await reopened.transactionVersion(appId: "backfill/binance/bitcoin/1h") == 8)
    }

    /// Another writer commits a txn for the same app between this append's read and its
    /// commit (injected when this append writes its first data file): the append fails with
    /// `.concurrentModification` and commits nothing.
    @Test func aConcurrentTxnForTheSameAppIsAConflict() async throws {
        let (base, dir) = try TickFixtures.localStore("candles-race")
        let other = try await CandleTable.open(store: base)
        let racing = RacingStore(base: base) {
            try await other.append(CandleFixtures.records(count: 1, offset: 50), transactions: ["app": 1])
        }
        let table = try await CandleTable.open(store: racing)
        await #expect {
            try await table.append(CandleFixtures.records(count: 1), transactions: ["app": 1])
        } throws: { ($0 as? LakehouseError)?.code == .concurrentModification }
        let latest = try await CandleTable.open(store: try LocalFileStore(root: dir.path)).snapshot()
        #expect(latest.version == 1)
        #expect(try await latest.candles(interval: .oneHour).count == 4, "only the winner's rows")
        // Re-reading after the conflict (as a writer does), the next append lands on top of the winner.
        let v = try await table.append(CandleFixtures.records(count: 1, offset: 60), transactions: ["another": 1])
        #expect(v == 2)
    }

    @Test func readRulePrefersTheFinalBarElseTheLatestIngested() async throws {
        let (store, _) = try TickFixtures.localStore("candles-rule")
        let table = try await CandleTable.open(store: store)
        func bar(_ asset: AssetID, hour: Int64, close: Double, final: Bool, ingest: Int64) -> CandleRecord {
            CandleRecord(source: .binance, asset: asset, symbol: "X", quoteCurrency: "USDT", interval: .oneHour,
                         openTimeMillis: CandleFixtures.start + hour * 3_600_000, open: 1, high: 2, low: 0.5, close: close,
                         baseVolume: 1, quoteVolume: 1, tradeCount: nil, marketCap: nil, isFinal: final,
                         origin: final ? .backfill : .rollup, ingestTimeMillis: ingest)
        }
        // bitcoin hour 0: three open rewrites, then a final ingested *before* the last rewrite.
        try await table.append([bar("bitcoin", hour: 0, close: 10, final: false, ingest: 100)])
        try await table.append([bar("bitcoin", hour: 0, close: 11, final: false, ingest: 300),
                                bar("bitcoin", hour: 0, close: 12, final: false, ingest: 200)])
        try await table.append([bar("bitcoin", hour: 0, close: 13, final: true, ingest: 250),
                                // ethereum hour 0: open bars only, the latest ingest wins whatever the file order.
                                bar("ethereum", hour: 0, close: 21, final: false, ingest: 500)])
        try await table.append([bar("ethereum", hour: 0, close: 20, final: false, ingest: 400),
                                // bitcoin hour 1: two finals (a correction), the later one wins.
                                bar("bitcoin", hour: 1, close: 30, final: true, ingest: 600),
                                bar("bitcoin", hour: 1, close: 31, final: true, ingest: 700),
                                bar("bitcoin", hour: 1, close: 32, final: false, ingest: 800)])
        let rows = try await table.candles(interval: .oneHour)
        #expect(rows.count == 3)
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ("\($0.asset)@\(($0.openTimeMillis - CandleFixtures.start) / 3_600_000)", $0) })
        #expect(byKey["bitcoin@0"]?.close == 13 && byKey["bitcoin@0"]?.isFinal == true)
        #expect(byKey["ethereum@0"]?.close == 21 && byKey["ethereum@0"]?.isFinal == false)
        #expect(byKey["bitcoin@1"]?.close == 31)
        #expect(rows.map(\.openTimeMillis) == rows.map(\.openTimeMillis).sorted())
        // Time travel applies the rule to that version's rows.
        #expect(try await table.snapshot(version: 2).candles(interval: .oneHour).first?.close == 11)
    }

    @Test func summarizesSeriesFromStatisticsAndMixedFiles() async throws {
        let (store, _) = try TickFixtures.localStore("candles-series")
        let table = try await CandleTable.open(store: store)
        // One asset per append: summarized from statistics alone.
        try await table.append(CandleFixtures.records(count: 3, assets: ["solana"], sources: [.binance]))
        // Mixed files (two assets, two intervals): read.
        try await table.append(CandleFixtures.records(count: 4) + CandleFixtures.records(count: 2, offset: 3, interval: .oneDay))
        let series = try await table.series()
        let h = CandleFixtures.start, hour: Int64 = 3_600_000, day: Int64 = 86_400_000
        var expected: [CandleSeries] = [CandleSeries(source: .binance, asset: "solana", interval: .oneHour,
                                                     firstOpenTimeMillis: h, lastOpenTimeMillis: h + 2 * hour)]
        for source in CandleFixtures.sources {
            for asset in CandleFixtures.assets {
                expected.append(CandleSeries(source: source, asset: asset, interval: .oneHour, firstOpenTimeMillis: h, lastOpenTimeMillis: h + 3 * hour))
                expected.append(CandleSeries(source: source, asset: asset, interval: .oneDay,
                                             firstOpenTimeMillis: h + 3 * day, lastOpenTimeMillis: h + 4 * day))
            }
        }
        #expect(Set(series) == Set(expected))
        #expect(series.count == expected.count)
    }

    @Test func refusesToOpenATableThatIsNotACandlesTable() async throws {
        let (store, _) = try TickFixtures.localStore("candles-wrong")
        _ = try await TickTable.open(store: store, root: "candles", layout: .original)
        await #expect { try await CandleTable.open(store: store) } throws: { ($0 as? LakehouseError)?.code == .invalidArgument }
    }
}

/// A real local store that runs `interference` once, just before the first data file of a
/// write lands: the moment another writer's commit makes the write's read version stale.
final class RacingStore: ObjectStore {
    let base: LocalFileStore
    let interference: @Sendable () async throws -> Void
    private let fired = Mutex(false)

    init(base: LocalFileStore, interference: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.interference = interference
    }

    func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] { try await base.get(key, range: range) }
    func head(_ key: ObjectKey) async throws -> ObjectMetadata? { try await base.head(key) }
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws {
        let first = key.rawValue.hasSuffix(".parquet") && fired.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try await interference() }
        try await base.put(key, bytes)
    }
    func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool { try await base.putIfAbsent(key, bytes) }
    func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        try await base.list(prefix: prefix, delimiter: delimiter, continuationToken: continuationToken, maxKeys: maxKeys)
    }
    func delete(_ keys: [ObjectKey]) async throws { try await base.delete(keys) }
}
