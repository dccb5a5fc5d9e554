import CryptoVizCore
import Foundation
import Testing
@testable import Lakehouse

/// Two final rows of one bar ingested in the same millisecond: the read rule settles the tie by
/// origin (the venue's own bar over a rollup), whatever the commit or file order.
@Suite struct CandleReadRuleTieTests {
    func bar(_ asset: String, close: Double, origin: CandleOrigin, ingest: Int64) -> CandleRecord {
        CandleRecord(source: .binance, asset: AssetID(asset), symbol: "X", quoteCurrency: "USDT", interval: .oneMinute,
                     openTimeMillis: CandleFixtures.start, open: 1, high: 2, low: 0.5, close: close,
                     baseVolume: origin == .rollup ? nil : 1, quoteVolume: origin == .rollup ? nil : 1, tradeCount: nil,
                     marketCap: nil, isFinal: true, origin: origin, ingestTimeMillis: ingest)
    }

    @Test func anExactTieGoesToTheHigherRankedOriginInEitherCommitOrder() async throws {
        let (store, _) = try TickFixtures.localStore("candles-tie")
        let table = try await CandleTable.open(store: store)
        // Eight bars committed rollup first, eight backfill first; each row in its own file, so
        // the files' (random) path order differs from the commit order for some of them.
        let assets = (0..<16).map { "asset-\($0)" }
        for (i, asset) in assets.enumerated() {
            let rollup = bar(asset, close: 10, origin: .rollup, ingest: 1_000)
            let backfill = bar(asset, close: 20, origin: .backfill, ingest: 1_000)
            for record in i < 8 ? [rollup, backfill] : [backfill, rollup] { try await table.append([record]) }
        }
        let rows = try await table.candles(interval: .oneMinute)
        #expect(rows.count == 16)
        #expect(rows.allSatisfy { $0.origin == .backfill && $0.close == 20 }, "\(rows.filter { $0.origin != .backfill }.map(\.asset))")
        // A later ingest still beats any origin.
        try await table.append([bar("asset-0", close: 30, origin: .rollup, ingest: 1_001)])
        #expect(try await table.candles(asset: "asset-0", interval: .oneMinute).first?.close == 30)
        #expect(CandleOrigin.backfill.tieRank > CandleOrigin.stream.tieRank && CandleOrigin.stream.tieRank > CandleOrigin.rollup.tieRank)
    }
}
