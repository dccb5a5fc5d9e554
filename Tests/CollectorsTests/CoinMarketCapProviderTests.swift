import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow coinmarketcap.com/api/documentation, `/v1/cryptocurrency/listings/latest`, and
/// the error table of "How to Handle CoinMarketCap API Errors" (error_code on HTTP 200).
@Suite struct CoinMarketCapProviderTests {
    static let body = """
        {"status":{"timestamp":"2024-04-07T16:50:12.345Z","error_code":0,"error_message":null,"elapsed":10,"credit_count":1,"notice":null,"total_count":9876},
         "data":[
          {"id":1,"name":"Bitcoin","symbol":"BTC","slug":"bitcoin","num_market_pairs":11000,"date_added":"2010-07-13T00:00:00.000Z",
           "tags":["mineable"],"max_supply":21000000,"circulating_supply":19675987,"total_supply":19675987,"infinite_supply":false,
           "platform":null,"cmc_rank":1,"self_reported_circulating_supply":null,"self_reported_market_cap":null,"tvl_ratio":null,
           "last_updated":"2024-04-07T16:49:00.000Z",
           "quote":{"USD":{"price":70123.456789,"volume_24h":2.0154184933e10,"volume_change_24h":12.3,"percent_change_1h":0.16,
             "percent_change_24h":3.1,"percent_change_7d":-1.7,"market_cap":1.381e12,"market_cap_dominance":52.1,
             "fully_diluted_market_cap":1.47e12,"tvl":null,"last_updated":"2024-04-07T16:49:00.000Z"}}},
          {"id":3945,"name":"Harmony","symbol":"ONE","slug":"harmony","cmc_rank":120,"last_updated":"2024-04-07T16:49:00.000Z",
           "quote":{"USD":{"price":0.0000012,"volume_24h":null,"percent_change_1h":null,"percent_change_24h":null,
             "percent_change_7d":null,"market_cap":null,"last_updated":"2024-04-07T16:49:00.000Z"}}},
          {"id":77,"name":"No Quote","symbol":"NQ","slug":"no-quote","cmc_rank":300,"last_updated":"2024-04-07T16:49:00.000Z","quote":{}},
          {"id":78,"name":"Bad Price","symbol":"BP","slug":"bad-price","cmc_rank":301,"last_updated":"2024-04-07T16:49:00.000Z",
           "quote":{"USD":{"price":"lots","last_updated":"2024-04-07T16:49:00.000Z"}}},
          {"name":"No Id","symbol":"NI","slug":"no-id","quote":{"USD":{"price":1,"last_updated":"2024-04-07T16:49:00.000Z"}}}
         ]}
        """

    @Test func parsesListingIdentityAndUSDQuote() throws {
        let page = try CoinMarketCapProvider.interpret(HTTPReply(status: 200, body: Array(Self.body.utf8)))
        #expect(page.quotes.count == 2)
        let btc = try #require(page.quotes.first)
        #expect(btc.identity == .coinMarketCap(CoinMarketCapListing(id: 1, slug: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1)))
        #expect(btc.price == 70123.456789)
        #expect(btc.volume24h == 2.0154184933e10)
        #expect(btc.marketCap == 1.381e12)
        #expect(btc.change7d == -1.7)
        #expect(btc.sourceTimeMillis == 1_712_508_540_000)
        let one = page.quotes[1]
        #expect(one.price == 0.0000012)
        #expect(one.marketCap == nil && one.change1h == nil)
    }

    @Test func badRecordsAreRejectedIndividually() throws {
        let page = try CoinMarketCapProvider.interpret(HTTPReply(status: 200, body: Array(Self.body.utf8)))
        #expect(page.rejections.count == 3)
        #expect(page.rejections.contains(.missingField(field: "quote.USD")))
        #expect(page.rejections.contains(.missingAssetID))
        #expect(page.rejections.contains { if case .unparsableField("price", _) = $0 { true } else { false } })
    }

    static func errorBody(_ code: Int, _ message: String) -> [UInt8] {
        Array(#"{"status":{"timestamp":"2024-04-07T16:50:12.345Z","error_code":\#(code),"error_message":"\#(message)","elapsed":0,"credit_count":0}}"#.utf8)
    }

    @Test(arguments: [
        (1001, CollectorError.Code.unauthorized), (1002, .unauthorized), (1006, .unauthorized),
        (1008, .rateLimited), (1011, .rateLimited), (1009, .quotaExhausted), (1010, .quotaExhausted),
    ])
    func errorStatusIsHonouredEvenOnHTTP200(code: Int, expected: CollectorError.Code) {
        do {
            _ = try CoinMarketCapProvider.interpret(HTTPReply(status: 200, body: Self.errorBody(code, "problem")))
            Issue.record("error_code \(code) accepted")
        } catch let error as CollectorError {
            #expect(error.code == expected)
            #expect(error.message.contains("\(code)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func http401WithStatusBodyIsUnauthorizedAndNotRetried() {
        do {
            _ = try CoinMarketCapProvider.interpret(HTTPReply(status: 401, body: Self.errorBody(1002, "API key missing.")))
            Issue.record("401 accepted")
        } catch let error as CollectorError {
            #expect(error.code == .unauthorized)
            #expect(!error.isRetryable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func garbageBodyWithServerErrorIsAServerError() {
        do {
            _ = try CoinMarketCapProvider.interpret(HTTPReply(status: 502, body: Array("<html>Bad gateway</html>".utf8)))
            Issue.record("502 accepted")
        } catch let error as CollectorError {
            #expect(error.code == .serverError)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
