import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow docs.coingecko.com "Coins List with Market Data" (`/coins/markets`).
@Suite struct CoinGeckoProviderTests {
    static let body = """
        [
          {"id":"bitcoin","symbol":"btc","name":"Bitcoin","image":"https://coin-images.coingecko.com/coins/images/1/large/bitcoin.png",
           "current_price":70187,"market_cap":1381651251183,"market_cap_rank":1,"fully_diluted_valuation":1474623675796,
           "total_volume":20154184933,"high_24h":70215,"low_24h":68060,"price_change_24h":2126.88,
           "price_change_percentage_24h":3.12502,"market_cap_change_24h":44287678051,"market_cap_change_percentage_24h":3.31157,
           "circulating_supply":19675987,"total_supply":21000000,"max_supply":21000000,"ath":73738,"ath_change_percentage":-4.77063,
           "ath_date":"2024-03-14T07:10:36.635Z","atl":67.81,"atl_change_percentage":103455.83335,"atl_date":"2013-07-06T00:00:00.000Z",
           "roi":null,"last_updated":"2024-04-07T16:49:31.736Z",
           "price_change_percentage_1h_in_currency":0.1612,"price_change_percentage_24h_in_currency":3.12502,
           "price_change_percentage_7d_in_currency":-1.7},
          {"id":"pepe","symbol":"pepe","name":"Pepe","current_price":1.23e-06,"market_cap":517000000,"market_cap_rank":80,
           "total_volume":null,"high_24h":null,"low_24h":null,"price_change_percentage_24h":null,"circulating_supply":420690000000000,
           "last_updated":"2024-04-07T16:49:30Z","price_change_percentage_1h_in_currency":null},
          {"id":"tiny","symbol":"tny","name":"Tiny","current_price":0.00000123,"market_cap":null,"market_cap_rank":null,
           "total_volume":12.5,"last_updated":"2024-04-07T16:49:30.1Z"},
          {"id":"ghost","symbol":"gho","name":"Ghost","current_price":null,"market_cap":1000,"market_cap_rank":3000,
           "last_updated":"2024-04-07T16:49:30.000Z"},
          {"id":"wrong","symbol":"wrg","name":"Wrong","current_price":"12.5","last_updated":"2024-04-07T16:49:30.000Z"},
          {"symbol":"noid","name":"No Id","current_price":1,"last_updated":"2024-04-07T16:49:30.000Z"},
          {"id":"baddate","symbol":"bd","name":"Bad Date","current_price":1,"last_updated":"yesterday"}
        ]
        """

    @Test func parsesDocumentedFieldsIncludingNullsAndExponents() throws {
        let page = try CoinGeckoProvider.parseMarkets(Array(Self.body.utf8))
        #expect(page.recordCount == 7)
        let btc = try #require(page.quotes.first { $0.identity == .coinGecko("bitcoin") })
        #expect(btc.symbol == "BTC")
        #expect(btc.price == 70187)
        #expect(btc.marketCap == 1_381_651_251_183)
        #expect(btc.change1h == 0.1612)
        #expect(btc.change24h == 3.12502)
        #expect(btc.change7d == -1.7)
        #expect(btc.sourceTimeMillis == 1_712_508_571_736)
        let pepe = try #require(page.quotes.first { $0.identity == .coinGecko("pepe") })
        #expect(pepe.price == 1.23e-06)
        #expect(pepe.volume24h == nil)
        #expect(pepe.change1h == nil)
        #expect(pepe.change7d == nil)
        let tiny = try #require(page.quotes.first { $0.identity == .coinGecko("tiny") })
        #expect(tiny.price == 0.00000123)
        #expect(tiny.marketCap == nil)
        #expect(tiny.sourceTimeMillis == 1_712_508_570_100)
    }

    @Test func badRecordsAreRejectedWithTheFieldAtFault() throws {
        let page = try CoinGeckoProvider.parseMarkets(Array(Self.body.utf8))
        #expect(page.quotes.count == 3)
        #expect(page.rejections.contains(.missingField(field: "current_price")))
        #expect(page.rejections.contains(.missingAssetID))
        #expect(page.rejections.contains { if case .unparsableField("current_price", _) = $0 { true } else { false } })
        #expect(page.rejections.contains { if case .unparsableField("last_updated", _) = $0 { true } else { false } })
        #expect(page.rejections.count == 4)
    }

    @Test func identityIsKeptForTheDirectoryEvenWhenThePriceIsMissing() throws {
        let page = try CoinGeckoProvider.parseMarkets(Array(Self.body.utf8))
        let ghost = try #require(page.listings.first { $0.id == "ghost" })
        #expect(ghost.marketCapRank == 3000)
        #expect(page.listings.first { $0.id == "tiny" }?.marketCapRank == nil)
    }

    @Test func errorObjectWithHTTP200IsARateLimitError() {
        let body = #"{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}"#
        #expect(throws: CollectorError.self) { try CoinGeckoProvider.parseMarkets(Array(body.utf8)) }
        do {
            _ = try CoinGeckoProvider.parseMarkets(Array(body.utf8))
        } catch let error as CollectorError {
            #expect(error.code == .rateLimited)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func truncatedBodyFailsTheRequestAsMalformed() {
        let truncated = Array(Self.body.utf8.prefix(300))
        do {
            _ = try CoinGeckoProvider.parseMarkets(truncated)
            Issue.record("truncated body was accepted")
        } catch let error as CollectorError {
            #expect(error.code == .malformedBody)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func http429WithoutRetryAfterIsRetryableRateLimit() {
        let reply = HTTPReply(status: 429, body: Array(#"{"status":{"error_code":429}}"#.utf8))
        do {
            _ = try CoinGeckoProvider.interpret(reply)
            Issue.record("429 accepted")
        } catch let error as CollectorError {
            #expect(error.code == .rateLimited)
            #expect(error.retryAfter == nil)
            #expect(error.isRetryable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
