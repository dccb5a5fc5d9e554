import CryptoVizCore
import Testing
@testable import Collectors

/// One canonical id per coin across all five sources: each provider's own spelling (CoinGecko
/// id, CMC listing, Binance `BTCUSDT`, Coinbase `BTC-USD`, Kraken `XXBTZUSD`/`XDGUSD`) goes
/// through its real parser and the `BatchNormalizer` with one shared `AssetDirectory`.
@Suite struct VenueIdentityTests {
    static let now = currentUnixMillis()
    static let iso = "2024-04-07T16:29:59.123456Z"

    /// CoinGecko's listing: the source of canonical ids, with a namesake of DOGE ranked far below.
    static let coinGeckoBody = """
        [
          {"id":"bitcoin","symbol":"btc","name":"Bitcoin","current_price":65000,"market_cap":1.3e12,"market_cap_rank":1,"last_updated":"2024-04-07T16:29:59.000Z"},
          {"id":"ethereum","symbol":"eth","name":"Ethereum","current_price":3400,"market_cap":4e11,"market_cap_rank":2,"last_updated":"2024-04-07T16:29:59.000Z"},
          {"id":"solana","symbol":"sol","name":"Solana","current_price":145,"market_cap":6e10,"market_cap_rank":5,"last_updated":"2024-04-07T16:29:59.000Z"},
          {"id":"dogecoin","symbol":"doge","name":"Dogecoin","current_price":0.16,"market_cap":2.3e10,"market_cap_rank":8,"last_updated":"2024-04-07T16:29:59.000Z"},
          {"id":"baby-doge-wannabe","symbol":"doge","name":"Doge Wannabe","current_price":0.0001,"market_cap":1e5,"market_cap_rank":3000,"last_updated":"2024-04-07T16:29:59.000Z"}
        ]
        """

    static let coinMarketCapBody = """
        {"status":{"error_code":0},"data":[
          {"id":1,"name":"Bitcoin","symbol":"BTC","slug":"bitcoin","cmc_rank":1,"quote":{"USD":{"price":65010,"last_updated":"2024-04-07T16:29:00.000Z"}}},
          {"id":1027,"name":"Ethereum","symbol":"ETH","slug":"ethereum","cmc_rank":2,"quote":{"USD":{"price":3401,"last_updated":"2024-04-07T16:29:00.000Z"}}},
          {"id":5426,"name":"Solana","symbol":"SOL","slug":"solana","cmc_rank":5,"quote":{"USD":{"price":145.1,"last_updated":"2024-04-07T16:29:00.000Z"}}},
          {"id":74,"name":"Dogecoin","symbol":"DOGE","slug":"dogecoin","cmc_rank":8,"quote":{"USD":{"price":0.1601,"last_updated":"2024-04-07T16:29:00.000Z"}}}
        ]}
        """

    static let binanceBody = """
        [{"symbol":"BTCUSDT","lastPrice":"65020.00","quoteVolume":"1","priceChangePercent":"1","closeTime":1712507399999},
         {"symbol":"ETHUSDT","lastPrice":"3402.00","quoteVolume":"1","priceChangePercent":"1","closeTime":1712507399999},
         {"symbol":"SOLUSDT","lastPrice":"145.20","quoteVolume":"1","priceChangePercent":"1","closeTime":1712507399999},
         {"symbol":"DOGEUSDT","lastPrice":"0.16020","quoteVolume":"1","priceChangePercent":"1","closeTime":1712507399999}]
        """

    static let krakenBody = """
        {"error":[],"result":{
          "XXBTZUSD":{"c":["65030.0","0.1"],"v":["1","2"],"p":["65000","65000"],"o":"64000"},
          "XETHZUSD":{"c":["3403.0","0.1"],"v":["1","2"],"p":["3400","3400"],"o":"3300"},
          "SOLUSD":{"c":["145.3","1"],"v":["1","2"],"p":["145","145"],"o":"140"},
          "XDGUSD":{"c":["0.1603","100"],"v":["1","2"],"p":["0.16","0.16"],"o":"0.15"}
        }}
        """

    static func coinbaseTicker(_ price: String) -> String {
        #"{"trade_id":1,"price":"\#(price)","size":"0.1","bid":"1","ask":"1","volume":"10","time":"\#(iso)"}"#
    }

    @Test func everySourceNamesEachCoinWithOneCanonicalID() throws {
        let markets = try CoinGeckoProvider.parseMarkets(Array(Self.coinGeckoBody.utf8))
        let directory = AssetDirectory(listings: markets.listings)
        let cmc = try CoinMarketCapProvider.interpret(HTTPReply(status: 200, body: Array(Self.coinMarketCapBody.utf8)))
        let binance = try BinanceProvider.parseTickers(Array(Self.binanceBody.utf8))
        let kraken = try KrakenProvider.parseTicker(Array(Self.krakenBody.utf8), receivedAtMillis: Self.now)
        var coinbase: [SourceQuote] = []
        for (symbol, price) in [("BTC", "65040.00"), ("ETH", "3404.00"), ("SOL", "145.40"), ("DOGE", "0.1604")] {
            coinbase.append(try CoinbaseProvider.parseTicker(Array(Self.coinbaseTicker(price).utf8), symbol: symbol).get())
        }
        let batches = [
            ProviderBatch(provider: .coinGecko, quotes: markets.quotes),
            ProviderBatch(provider: .coinMarketCap, quotes: cmc.quotes),
            ProviderBatch(provider: .binance, quotes: binance.quotes),
            ProviderBatch(provider: .coinbase, quotes: coinbase),
            ProviderBatch(provider: .kraken, quotes: kraken.quotes),
        ]
        let watch: Set<AssetID> = ["bitcoin", "ethereum", "solana", "dogecoin"]
        let normalizer = BatchNormalizer()
        // Per source: canonical id → price, so each id can be traced to the venue's own spelling.
        var bySource: [ProviderID: [AssetID: Double]] = [:]
        for batch in batches {
            let result = normalizer.normalize(batch, directory: directory, watch: watch, collectedAtMillis: Self.now)
            #expect(result.unresolved.isEmpty, "\(batch.provider): \(result.unresolved) \(result.unresolvedSamples)")
            #expect(result.rejected.isEmpty, "\(batch.provider): \(result.rejected)")
            bySource[batch.provider] = Dictionary(uniqueKeysWithValues: result.ticks.map { ($0.asset, $0.price) })
        }
        for source in [ProviderID.coinGecko, .coinMarketCap, .binance, .coinbase, .kraken] {
            #expect(Set(bySource[source]?.keys ?? [:].keys) == watch, "\(source): \(bySource[source] ?? [:])")
        }
        // Kraken's XBT (as XXBTZUSD) is bitcoin and its XDG is dogecoin, not the namesake.
        #expect(bySource[.kraken]?["bitcoin"] == 65030)
        #expect(bySource[.kraken]?["dogecoin"] == 0.1603)
        #expect(bySource[.kraken]?["ethereum"] == 3403)
        #expect(bySource[.coinbase]?["bitcoin"] == 65040)
        #expect(bySource[.coinbase]?["dogecoin"] == 0.1604)
        // Each coin's prices agree across the five sources (the same coin, not a namesake).
        for id in watch {
            let prices = bySource.values.compactMap { $0[id] }
            #expect(prices.count == 5)
            #expect((prices.max()! - prices.min()!) / prices.min()! < 0.01, "\(id): \(prices)")
        }
    }

    @Test func krakenCodesResolveOnlyOnceTranslated() throws {
        let markets = try CoinGeckoProvider.parseMarkets(Array(Self.coinGeckoBody.utf8))
        let directory = AssetDirectory(listings: markets.listings)
        // The directory knows tickers, not Kraken's codes: untranslated, XBT and XDG resolve to nothing.
        #expect(throws: AssetDirectory.Unresolved.unknownSymbol) { try directory.resolve(exchangeBaseSymbol: "XBT").get() }
        #expect(throws: AssetDirectory.Unresolved.unknownSymbol) { try directory.resolve(exchangeBaseSymbol: "XDG").get() }
        for (code, id) in [("XBT", "bitcoin"), ("XXBT", "bitcoin"), ("XDG", "dogecoin"), ("XXDG", "dogecoin")] {
            let (resolved, rule) = try directory.resolve(exchangeBaseSymbol: KrakenPairName.ticker(forCode: code)).get()
            #expect(resolved == AssetID(id) && rule == .highestMarketCapSymbol, "\(code)")
        }
    }
}
