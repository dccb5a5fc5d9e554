import CryptoVizCore
import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport
@testable import Server

/// The SQL explorer's views over a lake of several tables: `ticks` over `<lake>/ticks`, and
/// `candles` over `<lake>/candles` once the lake has that table (created meanwhile by another
/// writer, as a backfill would).
@Suite struct LakeSQLCandlesTests {
    static func bar(_ asset: AssetID, hour: Int64, close: Double, final: Bool, ingest: Int64) -> CandleRecord {
        CandleRecord(source: .binance, asset: asset, symbol: "X", quoteCurrency: "USDT", interval: .oneHour,
                     openTimeMillis: SQLSampleLake.day + hour * 3_600_000, open: 1, high: 2, low: 0.5, close: close,
                     baseVolume: 1, quoteVolume: close, tradeCount: 10, marketCap: nil, isFinal: final,
                     origin: final ? .backfill : .rollup, ingestTimeMillis: ingest)
    }

    @Test func theCandlesViewAppearsWithTheCandlesTable() async throws {
        let server = try await LakeSQLServer.start()
        let ticks = try await server.sql("SELECT count(*) AS n FROM ticks")
        #expect(ticks.status == 200, "\(ticks.text)")
        #expect((try ticks.json()["rows"] as? [[Any]])?.first?.first as? Int == SQLSampleLake.ticks().count)
        let before = try await server.sql("SELECT count(*) FROM candles")
        #expect(before.status == 400 && before.text.contains("candles"), "no view before the table exists: \(before.text)")

        let lake = try await Lake.open(store: try LocalFileStore(root: server.lake.path))
        try await lake.candles().append([
            Self.bar("bitcoin", hour: 0, close: 10, final: false, ingest: 1),
            Self.bar("bitcoin", hour: 0, close: 11, final: true, ingest: 2),
            Self.bar("ethereum", hour: 1, close: 20, final: true, ingest: 3),
        ])
        let after = try await server.sql("""
            SELECT count(*) AS n, count(DISTINCT asset) AS assets, typeof(any_value(open_time)) AS t,
                   min(open_time) = TIMESTAMPTZ '2025-12-01 00:00:00+00' AS first_ok, typeof(any_value(date)) AS d
            FROM candles
            """)
        #expect(after.status == 200, "\(after.text)")
        let row = try #require((try after.json()["rows"] as? [[Any]])?.first)
        // SQL sees every stored row; the read rule is the typed API's (CandleSnapshot).
        #expect(row[0] as? Int == 3 && row[1] as? Int == 2, "\(row)")
        #expect(row[2] as? String == "TIMESTAMP WITH TIME ZONE" && row[3] as? Bool == true && row[4] as? String == "DATE", "\(row)")
        // Both views in one query.
        let joined = try await server.sql("""
            SELECT c.asset, count(*) AS n FROM candles c JOIN ticks t ON t.asset = c.asset AND t.source = c.source
            WHERE c.final GROUP BY c.asset ORDER BY c.asset
            """)
        #expect(joined.status == 200, "\(joined.text)")
        #expect((try joined.json()["rows"] as? [[Any]])?.compactMap { $0.first as? String } == ["bitcoin", "ethereum"])
        await server.stop()
    }
}
