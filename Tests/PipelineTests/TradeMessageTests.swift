import Collectors
import CryptoVizCore
import Foundation
import Testing
@testable import Pipeline

/// The trade and candle messages on the wire: the exact bytes the collectors have always
/// written (the shared writer changed none), the trade reader against Foundation both ways,
/// and what the trade reader refuses.
@Suite struct TradeMessageTests {
    static let trade = Trade(source: .binance, asset: "bitcoin", pair: "BTCUSDT", base: "BTC", quoteCurrency: "USDT", tradeID: 7,
                             price: 65_000.5, quantity: 0.25, buyerIsMaker: false, tradeTimeMillis: 1_764_115_200_007,
                             eventTimeMillis: 1_764_115_200_008)

    @Test func messagesKeepTheirBytes() throws {
        let trade = try TradeMessage(trade: Self.trade, producedAtMillis: 42).encoded()
        #expect(String(decoding: trade, as: UTF8.self) == #"""
            {"schema_version":1,"type":"trade","produced_at_ms":42,"trade":{"source":"binance","asset":"bitcoin","pair":"BTCUSDT","base":"BTC","quote_currency":"USDT","trade_id":7,"price":65000.5,"quantity":0.25,"buyer_is_maker":false,"trade_time_ms":1764115200007,"event_time_ms":1764115200008}}
            """#)
        let bar = HistoryBar(openTimeMillis: 1_764_115_200_000, closeTimeMillis: 1_764_115_259_999, open: 100, high: 110.5, low: 95,
                             close: 105, baseVolume: 12.5, quoteVolume: 1_300, tradeCount: nil)
        var candle = CandleMessage(StreamCandle(provider: .binance, pair: "BTCUSDT", base: "BTC", quoteCurrency: "USDT", interval: "1m",
                                                bar: bar, isFinal: true, eventTimeMillis: 1_764_115_260_001),
                                   asset: "bitcoin", producedAtMillis: 43)
        #expect(String(decoding: try candle.encoded(), as: UTF8.self) == #"""
            {"schema_version":1,"type":"candle","produced_at_ms":43,"candle":{"source":"binance","asset":"bitcoin","pair":"BTCUSDT","quote_currency":"USDT","interval":"1m","open_time_ms":1764115200000,"close_time_ms":1764115259999,"open":100.0,"high":110.5,"low":95.0,"close":105.0,"base_volume":12.5,"quote_volume":1300.0,"event_time_ms":1764115260001}}
            """#)
        candle.candle.tradeCount = 42
        #expect(String(decoding: try candle.encoded(), as: UTF8.self).contains(#""quote_volume":1300.0,"trade_count":42,"event_time_ms""#))
    }

    @Test func agreesWithFoundationOnRandomAndHostileTrades() throws {
        var g = SplitMix64(seed: 29)
        for _ in 0..<2_000 {
            let trade = Trade(
                source: ProviderID(TickWireFormatTests.randomString(&g)), asset: AssetID(TickWireFormatTests.randomString(&g)),
                pair: TickWireFormatTests.randomString(&g), base: TickWireFormatTests.randomString(&g, maxLength: 4),
                quoteCurrency: TickWireFormatTests.randomString(&g, maxLength: 4), tradeID: Int64.random(in: .min ... .max, using: &g),
                price: TickWireFormatTests.finite(&g), quantity: TickWireFormatTests.finite(&g), buyerIsMaker: Bool.random(using: &g),
                tradeTimeMillis: Int64.random(in: .min ... .max, using: &g), eventTimeMillis: Int64.random(in: 0...(1 << 50), using: &g))
            let message = TradeMessage(trade: trade, producedAtMillis: Int64.random(in: .min ... .max, using: &g))
            let ours = try message.encoded()
            #expect(try JSONDecoder().decode(TradeMessage.self, from: Data(ours)) == message, "\(String(decoding: ours, as: UTF8.self))")
            let foundation = Array(try JSONEncoder().encode(message))
            #expect(try TradeMessage.decode(foundation) == message, "\(String(decoding: foundation, as: UTF8.self))")
            #expect(try TradeMessage.decode(ours) == message)
        }
    }

    @Test(arguments: [
        (#"{"schema_version":1,"type":"tick","produced_at_ms":1,"tick":{}}"#, MessageDecodingError.Kind.unknownType),
        (#"{"schema_version":2,"type":"trade"}"#, .unknownSchemaVersion),
        (#"{"schema_version":1,"type":"trade","produced_at_ms":1}"#, .malformed),
        (#"{"schema_version":1,"type":"trade","produced_at_ms":1,"trade":{"source":"binance"}}"#, .malformed),
        (#"{"schema_version":1,"type":"trade","produced_at_ms":1,"trade":{"buyer_is_maker":"no"}}"#, .malformed),
        (#"{"schema_version":1,"type":"trade","produced_at_ms":1,"trade":[]}"#, .malformed),
    ])
    func refusesWhatIsNotATrade(text: String, kind: MessageDecodingError.Kind) {
        #expect { try TradeMessage.decode(Array(text.utf8)) } throws: { ($0 as? MessageDecodingError)?.kind == kind }
    }

    @Test func unknownFieldsAreSkippedAndAMistypedFieldIsNamed() throws {
        var text = String(decoding: try TradeMessage(trade: Self.trade, producedAtMillis: 1).encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: #""pair":"#, with: #""venue_extra":{"a":[1,null,true]},"pair":"#)
        #expect(try TradeMessage.decode(Array(text.utf8)).trade == Self.trade)
        let mistyped = text.replacingOccurrences(of: #""trade_id":7"#, with: #""trade_id":"7""#)
        #expect { try TradeMessage.decode(Array(mistyped.utf8)) } throws: {
            ($0 as? MessageDecodingError)?.detail.contains("trade.trade_id") == true
        }
    }
}
