import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow docs.kraken.com "Get Ticker Information" (the XXBTZUSD object is the docs' example).
@Suite struct KrakenProviderTests {
    static let received: Int64 = 1_712_507_399_123

    static let body = """
        {"error":[],"result":{
          "XXBTZUSD":{"a":["30300.10000","1","1.000"],"b":["30300.00000","1","1.000"],"c":["30303.20000","0.00067643"],
                      "v":["4083.67001100","4412.73601799"],"p":["30706.77771","30689.13205"],"t":[34619,38907],
                      "l":["29868.30000","29868.30000"],"h":["31631.00000","31631.00000"],"o":"30502.80000"},
          "XETHZUSD":{"c":["3400.51","0.1"],"v":["100.0","2000.5"],"p":["3390.0","3380.25"],"o":"3350.00"},
          "SOLUSD":{"c":["145.2300","1.5"],"v":["10","20"],"p":["144","146"],"o":"140"},
          "XDGUSD":{"c":["0.1612300","100"],"v":["1","2"],"p":["0.16","0.161"],"o":"0.15"},
          "XXBTZEUR":{"c":["28000.0","0.1"],"v":["1","2"],"p":["1","1"],"o":"1"},
          "ZEURZUSD":{"c":["1.0812","100"],"v":["1","2"],"p":["1","1"],"o":"1"},
          "XBTUSDT":{"c":["30290.1","0.1"],"v":["1","2"],"p":["1","1"],"o":"1"},
          "PEPEUSD":{"c":["0.0000123400","1000000"]}
        }}
        """

    @Test func parsesTheDocumentedTickerAsUSDQuotesWithCanonicalTickers() throws {
        let page = try KrakenProvider.parseTicker(Array(Self.body.utf8), receivedAtMillis: Self.received)
        let bySymbol = Dictionary(uniqueKeysWithValues: page.quotes.map { ($0.symbol, $0) })
        #expect(Set(bySymbol.keys) == ["BTC", "ETH", "SOL", "DOGE", "PEPE"])
        let btc = try #require(bySymbol["BTC"])
        #expect(btc.identity == .exchangeBase("BTC"))
        #expect(btc.quoteCurrency == "USD")
        #expect(btc.price == 30303.2)
        // Quote-currency volume: 24 h base volume × 24 h VWAP.
        #expect(abs(try #require(btc.volume24h) - 4412.73601799 * 30689.13205) < 1e-3)
        #expect(btc.change24h == nil, "`o` is today's open, not the price 24 h ago")
        #expect(btc.sourceTimeMillis == Self.received)
        #expect(bySymbol["DOGE"]?.identity == .exchangeBase("DOGE"))
        #expect(bySymbol["DOGE"]?.price == 0.16123)
        #expect(bySymbol["PEPE"]?.price == 0.00001234)
        #expect(bySymbol["PEPE"]?.volume24h == nil)
        #expect(page.ignored == 3)
        #expect(page.rejections.isEmpty)
    }

    @Test(arguments: [
        (#"{"error":["EAPI:Rate limit exceeded"]}"#, CollectorError.Code.rateLimited, true),
        (#"{"error":["EGeneral:Too many requests"],"result":{}}"#, .rateLimited, true),
        (#"{"error":["EService:Unavailable"]}"#, .serverError, true),
        (#"{"error":["EService:Busy"],"result":{}}"#, .serverError, true),
        (#"{"error":["EQuery:Unknown asset pair"]}"#, .requestRejected, false),
    ])
    func aNonEmptyErrorArrayFailsThePollWithItsCodes(body: String, code: CollectorError.Code, retryable: Bool) {
        do {
            _ = try KrakenProvider.interpret(HTTPReply(status: 200, body: Array(body.utf8)), receivedAtMillis: Self.received)
            Issue.record("accepted \(body)")
        } catch let error as CollectorError {
            #expect(error.provider == .kraken)
            #expect(error.code == code)
            #expect(error.isRetryable == retryable)
            #expect(error.message.hasPrefix("Kraken error: E"), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [
        String(body.prefix(body.count / 2)),  // truncated
        "",
        "[]",
        #"{"error":"EGeneral:Internal error"}"#,
        #"{"error":[]}"#,
        #"{"error":[],"result":[]}"#,
        #"{"error":[],"result":"XXBTZUSD"}"#,
    ])
    func hostileEnvelopesAreMalformedBodies(body: String) {
        do {
            _ = try KrakenProvider.parseTicker(Array(body.utf8), receivedAtMillis: Self.received)
            Issue.record("accepted \(body)")
        } catch let error as CollectorError {
            #expect(error.code == .malformedBody)
            #expect(!error.isRetryable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func badRecordsAreRejectedOneByOneAndTheRestKept() throws {
        let body = """
            {"error":[],"result":{
              "XXBTZUSD":{"c":["65000.1","0.1"]},
              "XETHZUSD":{"v":["1","2"]},
              "SOLUSD":{"c":"145.2"},
              "DOTUSD":{"c":[]},
              "ADAUSD":{"c":["n/a","1"]},
              "LINKUSD":{"c":[17.5,"1"]},
              "ATOMUSD":{"c":[true,"1"]},
              "AVAXUSD":"35.1",
              "XDGUSD":{"c":["0.16","1"],"v":["1"],"p":["0.1","0.2"]}
            }}
            """
        let page = try KrakenProvider.parseTicker(Array(body.utf8), receivedAtMillis: Self.received)
        #expect(page.quotes.map(\.symbol).sorted() == ["BTC", "LINK"])
        #expect(page.quotes.first { $0.symbol == "LINK" }?.price == 17.5)
        #expect(page.rejections.count == 7)
        #expect(page.rejections.contains(.missingField(field: "c")))
        #expect(page.rejections.contains { if case .unparsableField("c", _) = $0 { true } else { false } })
        #expect(page.rejections.contains { if case .unparsableField("record", _) = $0 { true } else { false } })
        #expect(page.rejections.contains { if case .unparsableField("v", _) = $0 { true } else { false } })
    }

    @Test func httpErrorsKeepTheirClassification() {
        for (status, code) in [(429, CollectorError.Code.rateLimited), (503, .serverError), (403, .unauthorized)] {
            #expect(throws: CollectorError.self) {
                do {
                    _ = try KrakenProvider.interpret(HTTPReply(status: status, body: Array(#"{"error":["EGeneral:x"]}"#.utf8)),
                                                     receivedAtMillis: Self.received)
                } catch let error as CollectorError {
                    #expect(error.code == code)
                    throw error
                }
            }
        }
    }
}
