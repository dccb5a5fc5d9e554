import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow developers.binance.com spot REST "24hr ticker price change statistics" (FULL).
@Suite struct BinanceProviderTests {
    static let body = """
        [
          {"symbol":"BTCUSDT","priceChange":"-94.99999800","priceChangePercent":"-0.135","weightedAvgPrice":"70120.11",
           "prevClosePrice":"70200.00","lastPrice":"70105.01000000","lastQty":"0.00200000","bidPrice":"70105.00",
           "bidQty":"1.2","askPrice":"70105.01","askQty":"0.3","openPrice":"70200.01","highPrice":"70500.00",
           "lowPrice":"69000.00","volume":"21000.5","quoteVolume":"1472532135.53420000","openTime":1712421000000,
           "closeTime":1712507399999,"firstId":28385,"lastId":28460,"count":76},
          {"symbol":"PEPEUSDT","priceChangePercent":"2.500","lastPrice":"0.00000123","quoteVolume":"123456789.12",
           "openTime":1712421000000,"closeTime":1712507399999,"count":10},
          {"symbol":"ETHBTC","priceChangePercent":"0.1","lastPrice":"0.05","quoteVolume":"100","openTime":1,"closeTime":1712507399999},
          {"symbol":"BNBEUR","priceChangePercent":"0.1","lastPrice":"550","quoteVolume":"100","openTime":1,"closeTime":1712507399999},
          {"symbol":"XUSDT","priceChangePercent":"0.1","lastPrice":"1.2e-7","openTime":1,"closeTime":1712507399999},
          {"symbol":"BADUSDT","priceChangePercent":"0.1","lastPrice":"n/a","openTime":1,"closeTime":1712507399999},
          {"symbol":"NOPUSDT","priceChangePercent":"0.1","openTime":1,"closeTime":1712507399999}
        ]
        """

    @Test func parsesStringNumbersAsUSDTQuotes() throws {
        let page = try BinanceProvider.parseTickers(Array(Self.body.utf8))
        let btc = try #require(page.quotes.first)
        #expect(btc.identity == .exchangeBase("BTC"))
        #expect(btc.symbol == "BTC")
        #expect(btc.quoteCurrency == "USDT")
        #expect(btc.price == 70105.01)
        #expect(btc.volume24h == 1_472_532_135.5342)
        #expect(btc.change24h == -0.135)
        #expect(btc.marketCap == nil)
        #expect(btc.sourceTimeMillis == 1_712_507_399_999)
        #expect(page.quotes[1].price == 0.00000123)
        #expect(page.quotes[2].price == 1.2e-7)
    }

    @Test func nonUSDTPairsAreIgnoredNotRejected() throws {
        let page = try BinanceProvider.parseTickers(Array(Self.body.utf8))
        #expect(page.ignored == 2)
        #expect(page.quotes.count == 3)
        #expect(page.rejections.count == 2)
        #expect(page.rejections.contains(.missingField(field: "lastPrice")))
        #expect(page.rejections.contains { if case .unparsableField("lastPrice", _) = $0 { true } else { false } })
    }

    @Test func http451IsUnavailableFromLocationAndNotTransient() {
        do {
            _ = try BinanceProvider.interpret(HTTPReply(status: 451, body: Array(#"{"code":0,"msg":"restricted location"}"#.utf8)))
            Issue.record("451 accepted")
        } catch let error as CollectorError {
            #expect(error.code == .unavailableFromLocation)
            #expect(error.message.contains("unavailable from this location"))
            #expect(!error.isRetryable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func http429And418CarryRetryAfter() {
        for (status, code) in [(429, CollectorError.Code.rateLimited), (418, .banned)] {
            do {
                _ = try BinanceProvider.interpret(HTTPReply(status: status, headers: ["retry-after": "7"], body: Array("{}".utf8)))
                Issue.record("\(status) accepted")
            } catch let error as CollectorError {
                #expect(error.code == code)
                #expect(error.retryAfter == .seconds(7))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
