import CryptoVizCore
import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport
@testable import Server

/// The SQL explorer's `trades` view: empty but queryable while the lake's trades table is, the
/// table's rows once the processor (here: a direct append) has written some, beside `ticks`.
@Suite struct LakeSQLTradesTests {
    static func record(_ id: Int64, source: ProviderID, pair: String) -> TradeRecord {
        let time = SQLSampleLake.day + id * 1_000
        return TradeRecord(trade: Trade(source: source, asset: "bitcoin", pair: pair, base: "BTC", quoteCurrency: "USDT", tradeID: id,
                                        price: 90_000 + Double(id), quantity: 0.5, buyerIsMaker: id % 2 == 0,
                                        tradeTimeMillis: time, eventTimeMillis: time + 1),
                           ingestedTimeMillis: time + 5, processedTimeMillis: time + 9, busTopic: "crypto-raw-data",
                           busPartition: 1, busOffset: id)
    }

    @Test func theTradesViewShowsTheTradesTable() async throws {
        let server = try await LakeSQLServer.start()
        let lake = try await Lake.open(store: try LocalFileStore(root: server.lake.path))
        let table = try await lake.trades()
        let empty = try await server.sql("SELECT count(*) AS n, max(trade_time_ms) AS last FROM trades")
        #expect(empty.status == 200, "an empty table still has the view: \(empty.text)")
        #expect((try empty.json()["rows"] as? [[Any]])?.first?.first as? Int == 0)

        try await table.append((1...4).map { Self.record($0, source: .binance, pair: "BTCUSDT") }
            + (1...2).map { Self.record($0, source: .coinbase, pair: "BTC-USD") })
        let result = try await server.sql("""
            SELECT source, count(*) AS n, max(trade_id) AS last_id, max(trade_time_ms) AS last_ms,
                   typeof(any_value(trade_time)) AS t, count(*) FILTER (WHERE buyer_is_maker) AS sells
            FROM trades GROUP BY source ORDER BY source
            """)
        #expect(result.status == 200, "\(result.text)")
        let rows = try #require(try result.json()["rows"] as? [[Any]])
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.first?[0] as? String == "binance" && rows.first?[1] as? Int == 4 && rows.first?[2] as? Int == 4, "\(rows)")
        #expect(rows.first?[3] as? Int == Int(SQLSampleLake.day + 4_000) && rows.first?[4] as? String == "TIMESTAMP WITH TIME ZONE")
        #expect(rows.first?[5] as? Int == 2 && rows.last?[1] as? Int == 2, "\(rows)")
        // Trades beside the ticks of the same asset, in one query.
        let joined = try await server.sql("""
            SELECT count(*) FROM trades tr JOIN (SELECT DISTINCT asset FROM ticks) t ON t.asset = tr.asset
            """)
        #expect((try joined.json()["rows"] as? [[Any]])?.first?.first as? Int == 6, "\(joined.text)")
        await server.stop()
    }
}
