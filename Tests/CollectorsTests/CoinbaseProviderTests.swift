import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow docs.cdp.coinbase.com "Get product ticker" and "Get all known trading pairs".
@Suite struct CoinbaseProviderTests {
    static let ticker = """
        {"ask":"67125.01","bid":"67125","volume":"7123.51238145","trade_id":702310589,"price":"67125.01",
         "size":"0.00036251","time":"2024-04-07T16:29:59.123456Z","rfq_volume":"12.345678"}
        """

    static let products = """
        [
          {"id":"BTC-USD","base_currency":"BTC","quote_currency":"USD","quote_increment":"0.01","base_increment":"0.00000001",
           "display_name":"BTC/USD","min_market_funds":"1","margin_enabled":false,"post_only":false,"limit_only":false,
           "cancel_only":false,"status":"online","status_message":"","trading_disabled":false,"fx_stablecoin":false,
           "auction_mode":false},
          {"id":"ETH-USD","base_currency":"ETH","quote_currency":"USD","status":"online","trading_disabled":false},
          {"id":"DOGE-USD","base_currency":"DOGE","quote_currency":"USD","status":"online"},
          {"id":"BTC-EUR","base_currency":"BTC","quote_currency":"EUR","status":"online","trading_disabled":false},
          {"id":"ETH-BTC","base_currency":"ETH","quote_currency":"BTC","status":"online","trading_disabled":false},
          {"id":"OLD-USD","base_currency":"OLD","quote_currency":"USD","status":"delisted","trading_disabled":true},
          {"id":"HALT-USD","base_currency":"HALT","quote_currency":"USD","status":"online","trading_disabled":true},
          {"id":"BAD-USD","quote_currency":"USD","status":"online"},
          "not a product"
        ]
        """

    @Test func parsesTheDocumentedTicker() throws {
        let quote = try CoinbaseProvider.parseTicker(Array(Self.ticker.utf8), symbol: "BTC").get()
        #expect(quote.identity == .exchangeBase("BTC"))
        #expect(quote.symbol == "BTC")
        #expect(quote.quoteCurrency == "USD")
        #expect(quote.price == 67125.01)
        // Microseconds are cut to milliseconds: 2024-04-07T16:29:59.123Z.
        #expect(quote.sourceTimeMillis == 1_712_507_399_123)
        // Quote-currency volume: Coinbase's base volume × last price.
        #expect(abs(try #require(quote.volume24h) - 7123.51238145 * 67125.01) < 1e-3)
        #expect(quote.change24h == nil && quote.marketCap == nil)
    }

    @Test(arguments: [
        (#"{"volume":"1","time":"2024-04-07T16:29:59.123456Z"}"#, "price"),
        (#"{"price":null,"time":"2024-04-07T16:29:59Z"}"#, "price"),
        (#"{"price":67125.01,"time":"2024-04-07T16:29:59Z","volume":[1]}"#, "volume"),
        (#"{"price":"abc","time":"2024-04-07T16:29:59Z"}"#, "price"),
        (#"{"price":"1.5"}"#, "time"),
        (#"{"price":"1.5","time":"yesterday"}"#, "time"),
        (#"{"price":"1.5","time":"2024-04-07T16:29:59+02:00"}"#, "time"),
        (#"{"price":"1.5","time":1712507399}"#, "time"),
    ])
    func aBadTickerIsARejectionNamingTheField(body: String, field: String) throws {
        let result = try CoinbaseProvider.parseTicker(Array(body.utf8), symbol: "BTC")
        guard case .failure(let rejection) = result else {
            Issue.record("accepted \(body)")
            return
        }
        switch rejection {
        case .missingField(let name), .unparsableField(let name, _): #expect(name == field, "\(rejection)")
        default: Issue.record("unexpected \(rejection)")
        }
    }

    @Test(arguments: [String(ticker.prefix(40)), "", "[]", "\"67125.01\"", "null", "{\"price\": \"1\","])
    func aBodyThatIsNoTickerFailsTheRequest(body: String) {
        do {
            _ = try CoinbaseProvider.parseTicker(Array(body.utf8), symbol: "BTC")
            Issue.record("accepted \(body)")
        } catch let error as CollectorError {
            #expect(error.provider == .coinbase && error.code == .malformedBody)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func httpErrorsAreClassified() {
        let cases: [(Int, String, CollectorError.Code)] = [
            (404, #"{"message":"NotFound"}"#, .requestRejected),
            (429, #"{"message":"Public rate limit exceeded"}"#, .rateLimited),
            (503, #"{"message":"Internal server error"}"#, .serverError),
        ]
        for (status, body, code) in cases {
            do {
                _ = try CoinbaseProvider.interpretTicker(HTTPReply(status: status, body: Array(body.utf8)), symbol: "BTC")
                Issue.record("\(status) accepted")
            } catch let error as CollectorError {
                #expect(error.code == code, "\(status)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func theListingKeepsOnlineUSDProductsTradingEnabled() throws {
        let listing = try CoinbaseProductListing.parse(Array(Self.products.utf8))
        #expect(listing.usdProducts == ["BTC": "BTC-USD", "ETH": "ETH-USD", "DOGE": "DOGE-USD"])
        #expect(listing.excluded == 6)
    }

    @Test func productsFollowTheWatchOrderAndTheLimit() throws {
        let listing = try CoinbaseProductListing.parse(Array(Self.products.utf8))
        let watched = ["BTC", "USDT", "ETH", "OLD", "HALT", "doge", "BTC"]
        #expect(listing.products(for: watched, limit: 10).map(\.product) == ["BTC-USD", "ETH-USD", "DOGE-USD"])
        #expect(listing.products(for: watched, limit: 2).map(\.product) == ["BTC-USD", "ETH-USD"])
        #expect(listing.products(for: [], limit: 10).isEmpty)
    }

    @Test(arguments: ["", "{}", "{\"id\":\"BTC-USD\"}", String(products.prefix(100))])
    func aListingThatIsNoArrayFailsTheRequest(body: String) {
        #expect(throws: CollectorError.self) { try CoinbaseProductListing.parse(Array(body.utf8)) }
    }
}
