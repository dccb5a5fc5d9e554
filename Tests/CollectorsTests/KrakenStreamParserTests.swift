import CryptoVizCore
import Testing
@testable import Collectors

/// Frames follow docs.kraken.com/api/docs/websocket-v2 (status, subscribe ack, ticker, heartbeat).
@Suite struct KrakenStreamParserTests {
    static func parse(_ text: String, arrival: Int64 = 1_712_507_400_000) throws(StreamFrameError) -> StreamFrame {
        try KrakenStreamParser.parse(Array(text.utf8), arrivalMillis: arrival)
    }

    @Test(arguments: [
        #"{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2","connection_id":1}]}"#,
        #"{"channel":"heartbeat"}"#,
        #"{"method":"subscribe","result":{"channel":"ticker","symbol":"BTC/USD","snapshot":true},"success":true,"req_id":1}"#,
        #"{"method":"pong","req_id":2}"#,
    ])
    func controlTrafficCarriesNoEvents(text: String) throws {
        let frame = try Self.parse(text)
        #expect(frame.isControl && frame.events.isEmpty)
    }

    @Test func tickerBecomesUSDQuotesWithVolumeInUSDAndLegacyCodesMapped() throws {
        let frame = try Self.parse("""
            {"channel":"ticker","type":"snapshot","data":[
              {"symbol":"BTC/USD","bid":70100.1,"bid_qty":1.5,"ask":70100.2,"ask_qty":0.2,"last":70100.2,"volume":1200.5,
               "vwap":70000.0,"low":69000.0,"high":71000.0,"change":-100.0,"change_pct":-0.14},
              {"symbol":"XDG/USD","last":0.15,"volume":1e6,"vwap":0.149,"change_pct":2.5,"timestamp":"2024-04-07T16:29:59.123Z"},
              {"symbol":"ETH/EUR","last":3000.0},
              {"symbol":"SOL/USD","last":"n/a"}
            ]}
            """)
        #expect(frame.ignored == 1)
        #expect(frame.rejections.count == 1)
        guard case .quotes(let quotes)? = frame.events.first else {
            Issue.record("no quotes in \(frame.events)")
            return
        }
        #expect(quotes.count == 2)
        #expect(quotes[0].identity == .exchangeBase("BTC") && quotes[0].quoteCurrency == "USD")
        #expect(quotes[0].price == 70100.2 && quotes[0].volume24h == 1200.5 * 70000 && quotes[0].change24h == -0.14)
        #expect(quotes[0].sourceTimeMillis == 1_712_507_400_000, "no timestamp: the arrival time")
        #expect(quotes[1].identity == .exchangeBase("DOGE") && quotes[1].symbol == "DOGE")
        #expect(quotes[1].sourceTimeMillis == 1_712_507_399_123)
    }

    static let hostile: [(String, StreamFrameError.Reason)] = [
        ("", .notJSON),
        ("{", .notJSON),
        ("[]", .unexpectedShape),
        (#"{"type":"update"}"#, .unexpectedShape),
        (#"{"channel":"ticker","data":{}}"#, .unexpectedShape),
        (#"{"channel":"book","data":[]}"#, .unknownStream),
        (#"{"method":"subscribe","error":"Currency pair not supported BAD/USD","success":false,"symbol":"BAD/USD","req_id":1}"#, .refused),
        (#"{"method":"subscribe","success":"yes"}"#, .refused),
    ]

    @Test(arguments: hostile)
    func hostileOrRefusedFrameIsAFrameError(text: String, reason: StreamFrameError.Reason) {
        do {
            let frame = try Self.parse(text)
            Issue.record("accepted \(text.prefix(60)): \(frame)")
        } catch {
            #expect(error.reason == reason, "\(text.prefix(60)): \(error)")
        }
    }

    @Test func subscriptionIsInBandWithV2SymbolsOnOneConnection() {
        let provider = KrakenStreamProvider(baseURL: "wss://ws.kraken.com/v2", symbolsPerMessage: 2)
        let plans = provider.connections(for: StreamSubscription(tickerSymbols: ["BTC", "eth", "BTC", "SOL"]))
        #expect(plans.count == 1)
        #expect(plans[0].url == "wss://ws.kraken.com/v2")
        #expect(plans[0].streams == ["BTC/USD", "ETH/USD", "SOL/USD"])
        #expect(plans[0].subscribeMessages == [
            #"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"]},"req_id":1}"#,
            #"{"method":"subscribe","params":{"channel":"ticker","symbol":["SOL/USD"]},"req_id":2}"#,
        ])
        #expect(provider.connections(for: StreamSubscription(tickerSymbols: [])).isEmpty)
    }
}
