import CryptoVizCore
import Testing
@testable import Collectors

/// Frames follow developers.binance.com spot "WebSocket Streams" (combined-stream envelope,
/// All Market Mini Tickers, Trade Streams, Kline/Candlestick Streams).
@Suite struct BinanceStreamParserTests {
    static func parse(_ text: String) throws(StreamFrameError) -> StreamFrame {
        try BinanceStreamParser.parse(Array(text.utf8))
    }

    static let miniTickers = """
        {"stream":"!miniTicker@arr","data":[
          {"e":"24hrMiniTicker","E":1712507399123,"s":"BTCUSDT","c":"70105.01000000","o":"70200.01000000",
           "h":"70500.00000000","l":"69000.00000000","v":"21000.50000000","q":"1472532135.53420000"},
          {"e":"24hrMiniTicker","E":1712507399123,"s":"ETHBTC","c":"0.05000000","o":"0.05","h":"0.05","l":"0.05","v":"1","q":"1"},
          {"e":"24hrMiniTicker","E":1712507399123,"s":"PEPEUSDT","c":"0.00000123","o":"0.00000120","h":"0.1","l":"0.1","v":"1","q":"2.5"},
          {"e":"24hrMiniTicker","E":1712507399123,"s":"BADUSDT","c":"n/a","o":"1","h":"1","l":"1","v":"1","q":"1"},
          {"e":"24hrMiniTicker","s":"NOTIMEUSDT","c":"1.0","o":"1","h":"1","l":"1","v":"1","q":"1"}
        ]}
        """

    @Test func miniTickersBecomeUSDTQuotesAndBadRecordsAreRejectedAlone() throws {
        let frame = try Self.parse(Self.miniTickers)
        #expect(frame.ignored == 1)
        #expect(frame.rejections.count == 2)
        #expect(frame.rejections.contains { if case .unparsableField("c", _) = $0 { true } else { false } })
        #expect(frame.rejections.contains(.missingField(field: "E")))
        guard case .quotes(let quotes)? = frame.events.first else {
            Issue.record("no quotes in \(frame.events)")
            return
        }
        #expect(frame.events.count == 1)
        #expect(quotes.count == 2)
        let btc = quotes[0]
        #expect(btc.identity == .exchangeBase("BTC"))
        #expect(btc.symbol == "BTC")
        #expect(btc.quoteCurrency == "USDT")
        #expect(btc.price == 70105.01)
        #expect(btc.volume24h == 1_472_532_135.5342)
        #expect(btc.sourceTimeMillis == 1_712_507_399_123)
        #expect(abs(btc.change24h! - (70105.01 / 70200.01 - 1) * 100) < 1e-9)
        #expect(quotes[1].price == 0.00000123)
    }

    @Test func tradeCarriesIdPriceQuantityMakerSideAndTimes() throws {
        let frame = try Self.parse("""
            {"stream":"btcusdt@trade","data":{"e":"trade","E":1712507399200,"s":"BTCUSDT","t":4123456789,
             "p":"70105.01000000","q":"0.00200000","T":1712507399199,"m":true,"M":true}}
            """)
        #expect(frame.events == [.trade(TradeEvent(
            provider: .binance, pair: "BTCUSDT", base: "BTC", quoteCurrency: "USDT", tradeID: 4_123_456_789,
            price: 70105.01, quantity: 0.002, buyerIsMaker: true, tradeTimeMillis: 1_712_507_399_199,
            eventTimeMillis: 1_712_507_399_200))])
    }

    @Test(arguments: [false, true])
    func klineIsFinalOnlyWhenClosed(closed: Bool) throws {
        let frame = try Self.parse("""
            {"stream":"ethusdt@kline_1m","data":{"e":"kline","E":1712507460001,"s":"ETHUSDT","k":{
             "t":1712507400000,"T":1712507459999,"s":"ETHUSDT","i":"1m","f":100,"L":200,"o":"3500.10000000",
             "c":"3501.00000000","h":"3502.00000000","l":"3499.00000000","v":"12.50000000","n":101,"x":\(closed),
             "q":"43762.50000000","V":"6.0","Q":"21000.0","B":"0"}}}
            """)
        guard case .candle(let candle)? = frame.events.first else {
            Issue.record("no candle in \(frame.events)")
            return
        }
        #expect(candle.pair == "ETHUSDT")
        #expect(candle.base == "ETH")
        #expect(candle.interval == "1m")
        #expect(candle.bar.openTimeMillis == 1_712_507_400_000)
        #expect(candle.bar.closeTimeMillis == 1_712_507_459_999)
        #expect(candle.bar.open == 3500.1)
        #expect(candle.bar.high == 3502)
        #expect(candle.bar.low == 3499)
        #expect(candle.bar.close == 3501)
        #expect(candle.bar.baseVolume == 12.5)
        #expect(candle.bar.quoteVolume == 43762.5)
        #expect(candle.bar.tradeCount == 101)
        #expect(candle.isFinal == closed)
    }

    @Test func subscriptionAnswerIsControlTraffic() throws {
        let frame = try Self.parse(#"{"result":null,"id":1}"#)
        #expect(frame.isControl)
        #expect(frame.events.isEmpty)
    }

    /// Frames a hostile or broken peer may send: each must be refused with a reason, never crash.
    static let hostile: [(String, StreamFrameError.Reason)] = [
        ("", .notJSON),
        ("not json", .notJSON),
        (#"{"stream":"!miniTicker@arr","data":[{"e":"24hrMini"#, .notJSON),
        ("\u{FEFF}\u{0}\u{1}", .notJSON),
        (String(repeating: "[", count: 100_000), .notJSON),
        ("[1,2,3]", .unexpectedShape),
        (#""just a string""#, .unexpectedShape),
        ("{}", .unexpectedShape),
        (#"{"stream":"btcusdt@trade"}"#, .unexpectedShape),
        (#"{"stream":42,"data":{}}"#, .unexpectedShape),
        (#"{"stream":"!miniTicker@arr","data":{"s":"BTCUSDT"}}"#, .unexpectedShape),
        (#"{"stream":"btcusdt@depth","data":{}}"#, .unknownStream),
        (#"{"stream":"btcusdt@trade","data":[]}"#, .badEvent),
        (#"{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","t":1.5,"p":"1","q":"1","T":1,"E":1,"m":false}}"#, .badEvent),
        (#"{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","t":1e300,"p":"1","q":"1","T":1,"E":1,"m":false}}"#, .badEvent),
        (#"{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","t":1,"p":"NaN","q":"1","T":1,"E":1,"m":false}}"#, .badEvent),
        (#"{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","t":1,"p":"-5","q":"1","T":1,"E":1,"m":false}}"#, .badEvent),
        (#"{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","t":1,"p":"5","q":"1","T":1,"E":1,"m":"yes"}}"#, .badEvent),
        (#"{"stream":"btcbtc@trade","data":{"s":"ETHBTC","t":1,"p":"5","q":"1","T":1,"E":1,"m":true}}"#, .badEvent),
        (#"{"stream":"btcusdt@kline_1m","data":{"s":"BTCUSDT","E":1}}"#, .badEvent),
        (#"{"stream":"btcusdt@kline_1m","data":{"s":"BTCUSDT","E":1,"k":{"t":0,"T":1,"i":"1m","o":"1","c":"1","h":"1","l":"1","v":"1","q":"1","n":1}}}"#, .badEvent),
        (#"{"stream":"btcusdt@kline_1m","data":{"s":"BTCUSDT","E":1,"k":{"t":0,"T":1,"i":"1m","o":"1","c":"1","h":"1","l":"2","v":"1","q":"1","n":1,"x":true}}}"#, .badEvent),
        (#"{"stream":"btcusdt@kline_1m","data":{"s":"BTCUSDT","E":1,"k":{"t":0,"T":1,"i":"5m","o":"1","c":"1","h":"1","l":"1","v":"1","q":"1","n":1,"x":true}}}"#, .badEvent),
    ]

    @Test(arguments: hostile)
    func hostileFrameIsRefusedWithAReason(text: String, reason: StreamFrameError.Reason) {
        do {
            let frame = try Self.parse(text)
            Issue.record("accepted \(text.prefix(60)): \(frame.events)")
        } catch {
            #expect(error.reason == reason, "\(text.prefix(60)): \(error)")
        }
    }

    @Test func miniTickerRecordsOfTheWrongTypeAreRejectedNotFatal() throws {
        let frame = try Self.parse(#"{"stream":"!miniTicker@arr","data":[42,"x",null,{"s":7}]}"#)
        #expect(frame.events.isEmpty)
        #expect(frame.rejections.count == 4)
    }
}
