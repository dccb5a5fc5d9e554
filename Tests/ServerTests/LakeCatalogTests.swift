import CryptoVizCore
import Foundation
import Lakehouse
import Pipeline
import Testing
import TestSupport
@testable import Server

/// The asset and source lists of a lake whose newest row is days old (an empty tail): every
/// asset of the tick table and of the candles table, merged with the tail, and kept current
/// when a table gains a version.
@Suite struct LakeCatalogTests {
    static let binance = ProviderID("binance")
    static let cmc = ProviderID("coinmarketcap")
    static let day: Int64 = 86_400_000

    @Test func listsEveryAssetOfBothTablesMergedWithTheTail() async throws {
        let fixture = try await CandleLakeFixture.make("lake-catalog")
        let old = currentUnixMillis() - 10 * Self.day
        try await fixture.appendTicks([
            CandleLakeFixture.tick(Self.cmc, AssetID("bitcoin"), price: 1, at: old - 5_000, symbol: "BTC"),
            CandleLakeFixture.tick(Self.cmc, AssetID("bitcoin"), price: 2, at: old, symbol: "BTC"),
            CandleLakeFixture.tick(Self.cmc, AssetID("ethereum"), price: 3, at: old - 1_000, symbol: "ETH"),
        ])
        // One commit per asset: a file of one asset names its symbol in the log's statistics.
        try await fixture.appendCandles([
            CandleLakeFixture.bar(Self.binance, AssetID("bitcoin"), .oneMinute, at: old / 60_000 * 60_000, base: 1, symbol: "BTCUSDT"),
        ])
        try await fixture.appendCandles([
            CandleLakeFixture.bar(Self.binance, AssetID("solana"), .oneMinute, at: old / 60_000 * 60_000, base: 1, symbol: "SOLUSDT"),
        ])
        let data = fixture.data

        #expect(try await data.assets() == [
            AssetDTO(asset: AssetID("bitcoin"), symbol: "BTC", sources: [Self.binance, Self.cmc]),
            AssetDTO(asset: AssetID("ethereum"), symbol: "ETH", sources: [Self.cmc]),
            AssetDTO(asset: AssetID("solana"), symbol: "SOL", sources: [Self.binance]),
        ])
        #expect(try await data.sources() == [
            SourceDTO(source: Self.binance, assets: [AssetID("bitcoin"), AssetID("solana")], lastTickMs: nil),
            SourceDTO(source: Self.cmc, assets: [AssetID("bitcoin"), AssetID("ethereum")], lastTickMs: old),
        ])
        #expect(try await data.isKnown(AssetID("solana")))
        #expect(try await data.isKnown(AssetID("ethereum")))
        #expect(try await !data.isKnown(AssetID("dogecoin")))

        // A new version of each table is seen at once; the tail adds what it holds.
        try await fixture.appendTicks([CandleLakeFixture.tick(Self.binance, AssetID("dogecoin"), price: 4, at: old + 1_000, symbol: "DOGE")])
        try await fixture.appendCandles([CandleLakeFixture.bar(Self.cmc, AssetID("cardano"), .oneHour, at: old / Self.day * Self.day, base: 1, symbol: "ada")])
        fixture.tail.insert(CandleLakeFixture.tick(Self.cmc, AssetID("ripple"), price: 5, at: currentUnixMillis(), symbol: "XRP"))
        let assets = try await data.assets()
        #expect(assets.map(\.asset.rawValue) == ["bitcoin", "cardano", "dogecoin", "ethereum", "ripple", "solana"])
        #expect(assets.first { $0.asset == AssetID("cardano") }?.symbol == "ADA")
        #expect(try await data.isKnown(AssetID("dogecoin")))
        let sources = try await data.sources()
        #expect(sources.first { $0.source == Self.binance }?.lastTickMs == old + 1_000)
        #expect(sources.first { $0.source == Self.cmc }?.assets.map(\.rawValue) == ["bitcoin", "cardano", "ethereum", "ripple"])
    }

    @Test func aCompactionReplacesTheFilesWithoutChangingTheLists() async throws {
        let fixture = try await CandleLakeFixture.make("lake-catalog-compact")
        let old = currentUnixMillis() - 12 * Self.day
        for i in 0..<3 {
            try await fixture.appendTicks([CandleLakeFixture.tick(Self.cmc, AssetID("asset\(i)"), price: 1, at: old + Int64(i))])
        }
        let before = try await fixture.data.assets()
        #expect(before.count == 3)
        _ = try await fixture.data.compact()
        #expect(try await fixture.data.assets() == before)
        #expect(try await fixture.data.sources().first?.lastTickMs == old + 2)
    }
}
