import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline
import Testing
import TestSupport
@testable import Server

/// The production data source over a real Delta table on disk and a HotTail: history and the
/// recent window merge without gaps or duplicates, pages walk a range exactly once, and
/// management actions report what they did even when run concurrently.
@Suite struct LakeMarketDataTests {
    static let sources = [ProviderID("binance"), ProviderID("coingecko"), ProviderID("coinmarketcap")]
    static let assets = [AssetID("bitcoin"), AssetID("ethereum")]
    static let day: Int64 = 86_400_000
    static let step: Int64 = 120_000

    /// Ticks every two minutes per asset and source from the start of the day before yesterday
    /// (UTC) to `end`.
    static func history(end: Int64) -> [Tick] {
        var out: [Tick] = []
        var t = (end / day - 2) * day
        while t < end {
            for (s, source) in sources.enumerated() {
                for (a, asset) in assets.enumerated() {
                    out.append(Tick(source: source, asset: asset, symbol: a == 0 ? "BTC" : "ETH",
                                    price: Double(100 * (a + 1)) + Double(t / step % 97) + Double(s) * 0.5,
                                    volume24h: Double(t / step), sourceTimeMillis: t, collectedTimeMillis: t + 50))
                }
            }
            t += step
        }
        return out
    }

    static func ordered(_ ticks: [Tick]) -> [Tick] {
        ticks.sorted { TickCursor($0) < TickCursor($1) }
    }

    /// A lake holding `ticks` (two appends per UTC day, so every partition has two files to
    /// compact) and a tail seeded like `cryptoviz serve`
    /// seeds it, except that the first source's series keeps only its last hour (as when the
    /// tail's per-series point cap trims a busy source).
    static func make(_ ticks: [Tick], end: Int64) async throws -> (LakeMarketData, TickTable, URL) {
        let directory = try TestEnvironment.temporaryDirectory("lake-market-data")
        let store = try LocalFileStore(root: directory.path)
        let logger = Logger(label: "test")
        let table = try await TickTable.open(store: store, layout: .default, logger: logger)
        let byHalfDay = Dictionary(grouping: ticks) { $0.sourceTimeMillis / (day / 2) }
        for key in byHalfDay.keys.sorted() {
            try await table.append(byHalfDay[key]!.map {
                LakeRecord(tick: $0, ingestedTimeMillis: $0.sourceTimeMillis + 60, processedTimeMillis: $0.sourceTimeMillis + 70,
                           busTopic: "crypto-raw-data", busPartition: 0, busOffset: $0.sourceTimeMillis / step)
            })
        }
        let tail = HotTail()
        for tick in ticks where tick.sourceTimeMillis >= end - 86_400_000 {
            if tick.source == sources[0] && tick.sourceTimeMillis < end - 3_600_000 { continue }
            _ = tail.insert(tick)
        }
        var configuration = LakeMarketData.Configuration(location: directory.path)
        configuration.localDirectory = directory.path
        let data = LakeMarketData(table: table, store: store, tail: tail, configuration: configuration, stats: {
            PipelineStatsDTO(generatedAtMs: 0, ingestRatePerSecond: 0, ticksTotal: 0, freshnessP50Ms: nil, freshnessP95Ms: nil,
                             partitions: [], providers: [])
        }, logger: logger)
        return (data, table, directory)
    }

    @Test func pagesWalkLakeAndTailExactlyOnceInOrder() async throws {
        let end = currentUnixMillis() / Self.step * Self.step
        let all = Self.history(end: end)
        let (data, _, _) = try await Self.make(all, end: end)
        let expected = Self.ordered(all.filter { $0.asset == Self.assets[0] })

        var pages = 0
        var seen: [Tick] = []
        var cursor: TickCursor?
        repeat {
            let page = try await data.ticks(TickQuery(asset: Self.assets[0], fromMillis: 0, toMillis: end + 1, limit: 700, after: cursor))
            seen += page.ticks
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 100
        #expect(seen.count == expected.count)
        #expect(seen.map(TickCursor.init) == expected.map(TickCursor.init))
        #expect(seen.map(\.price) == expected.map(\.price))
        #expect(pages == (expected.count + 699) / 700)

        // One source only, over a window straddling the point where the tail's trimmed series starts.
        let from = end - 2 * 3_600_000
        let one = try await data.ticks(TickQuery(asset: Self.assets[0], sources: [Self.sources[0]], fromMillis: from,
                                                 toMillis: end, limit: 10_000))
        let wanted = expected.filter { $0.source == Self.sources[0] && $0.sourceTimeMillis >= from }
        #expect(one.ticks.map(TickCursor.init) == wanted.map(TickCursor.init))
        #expect(one.nextCursor == nil)
    }

    @Test func candlesOverLakeAndTailEqualCandlesOfAllTicks() async throws {
        let end = currentUnixMillis() / Self.step * Self.step
        let all = Self.history(end: end)
        let (data, _, _) = try await Self.make(all, end: end)
        let asset = Self.assets[1]
        let start = (end / Self.day - 2) * Self.day
        // Whole days (cached per day after the first request), a partial first day, one source;
        // each asked twice (cold, then from the cache) and again after a compaction rewrote
        // every file the cache was keyed by.
        let cases: [(CandleInterval, Int64, Set<ProviderID>?)] = [
            (.fiveMinutes, 0, nil), (.oneHour, start + 5 * 3_600_000 + 1, nil), (.oneDay, 0, [Self.sources[2]]), (.oneMinute, start, nil),
        ]
        for round in 0..<3 {
            if round == 2 { _ = try await data.compact() }
            for (interval, from, sources) in cases {
                let candles = try await data.candles(CandleQuery(asset: asset, sources: sources, interval: interval, fromMillis: from, toMillis: end + 1))
                let expected = MarketConsensus.candles(
                    from: all.filter { $0.asset == asset && $0.sourceTimeMillis >= from && (sources?.contains($0.source) ?? true) },
                    interval: interval)
                #expect(candles.count == expected.count, "round \(round) \(interval) from \(from)")
                #expect(candles == expected, "round \(round) \(interval) from \(from)")
            }
        }
    }

    @Test func retentionReportsTheRowsAndFilesOfTheDroppedDay() async throws {
        let end = currentUnixMillis() / Self.step * Self.step
        let all = Self.history(end: end)
        let (data, table, _) = try await Self.make(all, end: end)
        let cutoff = (end / Self.day - 1) * Self.day
        let old = all.filter { $0.sourceTimeMillis < cutoff }

        // Compaction and retention requested together: both complete, each reports its own commit.
        async let compacted = data.compact()
        async let retained = data.applyRetention(days: 1)
        let (compaction, retention) = try await (compacted, retained)
        #expect(retention.cutoffMs == cutoff)
        #expect(retention.recordsRemoved == Int64(old.count))
        // The dropped day's partitions (one per source) hold two files each, or one once compacted.
        #expect(retention.filesRemoved == (compaction.version.map { $0 < retention.version ?? 0 } == true ? 1 : 2) * Self.sources.count,
                "\(compaction) \(retention)")
        #expect(compaction.version != nil && compaction.filesRemoved == 2 * compaction.filesAdded, "\(compaction)")
        let info = try await table.info()
        #expect(info.rows == Int64(all.count - old.count))
        let versions = try await data.lakeVersions()
        #expect(versions.contains { $0.operation == "DELETE" })
    }
}
