import CryptoVizCore
import Foundation
import Testing
import TestSupport
@testable import Lakehouse

/// `CandleSnapshot.bars`: 1-minute bars aggregated into 5-minute and hourly bars equal
/// DuckDB's aggregation of the same table (read rule applied in SQL), with repeated and
/// out-of-order bars across files, a source filter, and bad arguments refused.
@Suite struct CandleBarsTests {
    static func duckdbBars(_ table: String, asset: String, bucketSeconds: Int, from: Int64, to: Int64,
                           sources: [String] = []) throws -> [[String: Any]] {
        let args = ["bars", table, "--asset", asset, "--stored", "1m", "--bucket-seconds", String(bucketSeconds),
                    "--from", String(from), "--to", String(to)] + sources.flatMap { ["--source", $0] }
        let output = try ProcessRunner.oracle("lakehouse/candles_oracle.py", args).stdout
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
    }

    static func close(_ a: Double?, _ b: Any?) -> Bool {
        guard let a, let b = (b as? NSNumber)?.doubleValue else { return a == nil && (b == nil || b is NSNull) }
        return abs(a - b) <= 1e-9 * max(1, abs(b))
    }

    static func same(_ ours: [CandleBar], _ reference: [[String: Any]]) -> Bool {
        guard ours.count == reference.count else { return false }
        return zip(ours, reference).allSatisfy { bar, row in
            (row["open_time"] as? NSNumber)?.int64Value == bar.openTimeMillis
                && close(bar.open, row["open"]) && close(bar.high, row["high"]) && close(bar.low, row["low"])
                && close(bar.close, row["close"]) && close(bar.baseVolume, row["base_volume"])
                && close(bar.quoteVolume, row["quote_volume"])
                && (row["n"] as? NSNumber)?.intValue == bar.barCount
                && (row["final"] as? NSNumber)?.boolValue == bar.isFinal
        }
    }

    @Test func aggregatesOneMinuteBarsLikeDuckDB() async throws {
        let (store, directory) = try TickFixtures.localStore("candle-bars")
        let table = try await CandleTable.open(store: store)
        // Three hours of minutes for two assets and two sources, written in two commits whose
        // files overlap in time (later minutes first), then open rewrites and a final correction.
        let minutes = CandleFixtures.records(count: 180, interval: .oneMinute)
        let late = minutes.filter { $0.openTimeMillis >= CandleFixtures.start + 90 * 60_000 }
        let early = minutes.filter { $0.openTimeMillis < CandleFixtures.start + 90 * 60_000 }
        try await table.append(late)
        try await table.append(early)
        var rewrites: [CandleRecord] = []
        for var bar in minutes where bar.asset == "bitcoin" && bar.openTimeMillis % (7 * 60_000) == 0 {
            bar.isFinal = false
            bar.close += 1000  // an open rewrite after the final: the final must still win
            bar.high += 1000
            bar.ingestTimeMillis += 10
            rewrites.append(bar)
        }
        var corrected = minutes.first { $0.asset == "bitcoin" && $0.source == .binance && $0.openTimeMillis == CandleFixtures.start + 5 * 60_000 }!
        corrected.close = 1
        corrected.low = 0.5
        corrected.ingestTimeMillis += 20
        try await table.append(rewrites + [corrected])
        // A still-open minute past the finals.
        var open = CandleFixtures.records(count: 1, offset: 180, interval: .oneMinute, isFinal: false, origin: .rollup)
        open = open.filter { $0.asset == "bitcoin" }
        try await table.append(open)

        let path = directory.appendingPathComponent("candles").path
        let snapshot = try await table.snapshot()
        let from = CandleFixtures.start + 3 * 60_000, to = CandleFixtures.start + 181 * 60_000
        for (interval, seconds) in [(CandleInterval.oneHour, 3600), (.fiveMinutes, 300)] {
            let ours = try await snapshot.bars(asset: "bitcoin", stored: .oneMinute, interval: interval, fromMillis: from, toMillis: to)
            let reference = try Self.duckdbBars(path, asset: "bitcoin", bucketSeconds: seconds, from: from, to: to)
            #expect(!ours.isEmpty)
            #expect(Self.same(ours, reference), "\(interval): ours \(ours.prefix(2)) reference \(reference.prefix(2))")
        }
        let binance = try await snapshot.bars(asset: "bitcoin", sources: [.binance], stored: .oneMinute, interval: .oneHour,
                                              fromMillis: from, toMillis: to)
        #expect(Self.same(binance, try Self.duckdbBars(path, asset: "bitcoin", bucketSeconds: 3600, from: from, to: to, sources: ["binance"])))
        #expect(binance.first?.low == 0.5, "the corrected final bar's low")
        #expect(binance.last?.isFinal == false, "the last hour holds the open minute")
        // Up to the newest final bar (the seam): the open minute after it is left out.
        let seam = try await snapshot.barScan(asset: "bitcoin", sources: [.binance], stored: .oneMinute, interval: .oneHour,
                                              fromMillis: from, toMillis: to, upToNewestFinal: true)
        #expect(seam.newestFinalEnd == [.binance: CandleFixtures.start + 180 * 60_000])
        #expect(seam.bars == Array(binance.dropLast()))
        #expect(seam.bars.allSatisfy { $0.isFinal })
        // 1-minute "aggregation" is the stored bars themselves, after the read rule.
        let oneMinute = try await snapshot.bars(asset: "ethereum", sources: [.coinGecko], stored: .oneMinute, interval: .oneMinute,
                                                fromMillis: from, toMillis: to)
        let stored = try await snapshot.candles(asset: "ethereum", source: .coinGecko, interval: .oneMinute, fromMillis: from, toMillis: to)
        #expect(oneMinute.map(\.close) == stored.map(\.close))
        #expect(oneMinute.map(\.openTimeMillis) == stored.map(\.openTimeMillis))
    }

    /// Nine assets of 20 hours in one file: row groups of 8 Ki rows cut into pages of 1 Ki, so
    /// an asset's run of rows starts and ends inside pages and the scan skips the others'.
    @Test func anAssetsRunInsideLargeRowGroupsGivesDuckDBsBars() async throws {
        let (store, directory) = try TickFixtures.localStore("candle-bars-runs")
        let table = try await CandleTable.open(store: store)
        let assets: [AssetID] = (0..<9).map { AssetID("asset-\($0)") }
        try await table.append(CandleFixtures.records(count: 1200, interval: .oneMinute, assets: assets, sources: [.binance]))
        let snapshot = try await table.snapshot()
        let path = directory.appendingPathComponent("candles").path
        let from = CandleFixtures.start + 7 * 60_000, to = CandleFixtures.start + 1190 * 60_000
        for asset in [assets[0], assets[4], assets[8]] {
            let ours = try await snapshot.bars(asset: asset, stored: .oneMinute, interval: .oneHour, fromMillis: from, toMillis: to)
            let reference = try Self.duckdbBars(path, asset: asset.rawValue, bucketSeconds: 3600, from: from, to: to)
            #expect(ours.count == 20)
            #expect(Self.same(ours, reference), "\(asset): ours \(ours.prefix(2)) reference \(reference.prefix(2))")
        }
    }

    @Test func anExactTieGoesToTheHigherRankedOriginWhateverTheFileOrder() async throws {
        let (store, _) = try TickFixtures.localStore("candle-bars-tie")
        let table = try await CandleTable.open(store: store)
        var venue = CandleFixtures.records(count: 1, interval: .oneMinute, assets: ["bitcoin"], sources: [.binance])[0]
        var rollup = venue
        rollup.origin = .rollup
        rollup.close = venue.close + 7
        rollup.baseVolume = nil
        rollup.quoteVolume = nil
        venue.origin = .backfill
        // Backfill first, then the rollup with the same finality and ingest time.
        try await table.append([venue])
        try await table.append([rollup])
        let bars = try await table.snapshot().bars(asset: "bitcoin", stored: .oneMinute, interval: .oneMinute,
                                                   fromMillis: CandleFixtures.start, toMillis: CandleFixtures.start + 60_000)
        #expect(bars.map(\.close) == [venue.close])
        #expect(bars.first?.baseVolume == venue.baseVolume)
        let records = try await table.candles(asset: "bitcoin", interval: .oneMinute)
        #expect(records.map(\.close) == bars.map(\.close), "bars and candles apply one read rule")
    }

    @Test func refusesWidthsThatDoNotAddUpAndHugeRanges() async throws {
        let (store, _) = try TickFixtures.localStore("candle-bars-bad")
        let table = try await CandleTable.open(store: store)
        let snapshot = try await table.snapshot()
        await #expect(throws: LakehouseError.self) {
            try await snapshot.bars(asset: "bitcoin", stored: .oneHour, interval: .fiveMinutes, fromMillis: 0, toMillis: 3_600_000)
        }
        await #expect(throws: LakehouseError.self) {
            try await snapshot.bars(asset: "bitcoin", stored: .oneMinute, interval: .oneMinute, fromMillis: 0, toMillis: 20 * 365 * 86_400_000)
        }
        #expect(try await snapshot.bars(asset: "bitcoin", stored: .oneMinute, interval: .oneHour, fromMillis: 0, toMillis: 3_600_000).isEmpty)
    }
}
