import Foundation
import Testing
@testable import CryptoVizCore

@Suite struct TickTests {
    @Test func eventIDIgnoresCollectionTimeAndPrice() {
        let a = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", quoteCurrency: "USDT", price: 1,
                     sourceTimeMillis: 1_700_000_000_000, collectedTimeMillis: 1)
        var b = a
        b.price = 2
        b.collectedTimeMillis = 99
        #expect(a.eventID == b.eventID)
        #expect(a.eventID.description == "binance|bitcoin|1700000000000")
    }

    @Test func jsonRoundTripKeepsEveryField() throws {
        let tick = Tick(source: .coinMarketCap, asset: "harmony", symbol: "ONE", price: 0.00000123,
                        marketCap: 2.5e12, volume24h: nil, change1h: -0.5, change24h: 3.25, change7d: nil,
                        sourceTimeMillis: 1_700_000_000_123, collectedTimeMillis: 1_700_000_000_456)
        let data = try JSONEncoder().encode(tick)
        let decoded = try JSONDecoder().decode(Tick.self, from: data)
        #expect(decoded == tick)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["source_time_ms"] as? Int64 == 1_700_000_000_123)
        #expect(object["asset"] as? String == "harmony")
    }

    @Test func partitionDateComesFromSourceTimeInUTC() {
        let tick = Tick(source: .coinGecko, asset: "bitcoin", symbol: "BTC", price: 1,
                        sourceTimeMillis: 1_735_689_599_999, collectedTimeMillis: 1_735_689_600_500)
        #expect(tick.partition.date.description == "2024-12-31")
    }
}
