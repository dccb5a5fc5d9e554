import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline
import TestSupport
@testable import Server

/// A lake on disk (`ticks/` and `candles/` like `cryptoviz` writes) with a `LakeMarketData`
/// over it, for the candles-table and asset-list tests.
struct CandleLakeFixture {
    let directory: URL
    let store: LocalFileStore
    let lake: Lake
    let ticks: TickTable
    let tail: HotTail
    let data: LakeMarketData

    static func make(_ label: String, tail: HotTail = HotTail()) async throws -> CandleLakeFixture {
        let directory = try TestEnvironment.temporaryDirectory(label)
        let store = try LocalFileStore(root: directory.path)
        let logger = Logger(label: "test")
        let lake = try await Lake.open(store: store, logger: logger)
        let ticks = try await lake.ticks()
        var configuration = LakeMarketData.Configuration(location: directory.path)
        configuration.localDirectory = directory.path
        let data = LakeMarketData(table: ticks, store: store, tail: tail, configuration: configuration, stats: {
            PipelineStatsDTO(generatedAtMs: 0, ingestRatePerSecond: 0, ticksTotal: 0, freshnessP50Ms: nil, freshnessP95Ms: nil,
                             partitions: [], providers: [])
        }, logger: logger)
        return CandleLakeFixture(directory: directory, store: store, lake: lake, ticks: ticks, tail: tail, data: data)
    }

    /// Appends ticks to the lake's tick table (one commit).
    func appendTicks(_ ticks: [Tick]) async throws {
        try await self.ticks.append(ticks.map {
            LakeRecord(tick: $0, ingestedTimeMillis: $0.sourceTimeMillis + 60, processedTimeMillis: $0.sourceTimeMillis + 70)
        })
    }

    /// Appends bars to the candles table (created on first use; one commit).
    func appendCandles(_ records: [CandleRecord]) async throws {
        _ = try await lake.candles().append(records)
    }

    /// A bar with distinct, known prices: open `base`, high `base + 2`, low `base - 1`, close `base + 1`.
    static func bar(_ source: ProviderID, _ asset: AssetID, _ interval: CandleInterval, at openTime: Int64, base: Double,
                    volume: Double = 10, isFinal: Bool = true, symbol: String? = nil) -> CandleRecord {
        CandleRecord(source: source, asset: asset, symbol: symbol ?? asset.rawValue.uppercased() + "USDT", quoteCurrency: "USDT",
                     interval: interval, openTimeMillis: openTime, open: base, high: base + 2, low: base - 1, close: base + 1,
                     baseVolume: volume, quoteVolume: volume * base, tradeCount: 7, marketCap: nil, isFinal: isFinal,
                     origin: isFinal ? .backfill : .rollup, ingestTimeMillis: openTime + 90_000)
    }

    static func tick(_ source: ProviderID, _ asset: AssetID, price: Double, at ms: Int64, symbol: String? = nil) -> Tick {
        Tick(source: source, asset: asset, symbol: symbol ?? asset.rawValue.prefix(3).uppercased(), price: price,
             volume24h: nil, sourceTimeMillis: ms, collectedTimeMillis: ms + 100)
    }
}
