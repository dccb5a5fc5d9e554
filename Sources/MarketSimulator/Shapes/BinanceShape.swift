/// Binance spot `/api/v3/ticker/24hr` responses: prices and volumes as strings, times in ms
/// (developers.binance.com/docs/binance-spot-api-docs/rest-api, "24hr ticker price change statistics").
enum BinanceShape {
    /// Documented request weight of the all-symbols form.
    static let allTickersWeight = 80

    static func tickers(_ quotes: [MarketState.Quote], otherPairs: [String], nowMillis: Int64, dropPriceEvery: Int?) -> String {
        var records: [String] = []
        var offset = 0
        let btcPrice = quotes.first?.price ?? 65_000
        func record(pair: String, price: Double, open: Double, quoteVolume: Double) -> String {
            var members: [(String, String)] = [
                ("symbol", JSONText.string(pair)),
                ("priceChange", JSONText.decimalString(price - open)),
                ("priceChangePercent", JSONText.decimalString((price / open - 1) * 100, places: 3)),
                ("weightedAvgPrice", JSONText.decimalString((price + open) / 2)),
                ("prevClosePrice", JSONText.decimalString(open)),
                ("lastPrice", JSONText.decimalString(max(price, 1e-8))),
                ("lastQty", JSONText.decimalString(1.5)),
                ("bidPrice", JSONText.decimalString(price * 0.9999)),
                ("bidQty", JSONText.decimalString(10)),
                ("askPrice", JSONText.decimalString(price * 1.0001)),
                ("askQty", JSONText.decimalString(10)),
                ("openPrice", JSONText.decimalString(open)),
                ("highPrice", JSONText.decimalString(max(price, open) * 1.01)),
                ("lowPrice", JSONText.decimalString(min(price, open) * 0.99)),
                ("volume", JSONText.decimalString(quoteVolume / max(price, 1e-8), places: 2)),
                ("quoteVolume", JSONText.decimalString(quoteVolume, places: 2)),
                ("openTime", String(nowMillis - 86_400_000)),
                ("closeTime", String(nowMillis)),
                ("firstId", "100"),
                ("lastId", "200"),
                ("count", "101"),
            ]
            if let every = dropPriceEvery, offset % every == 0 { members.removeAll { $0.0 == "lastPrice" } }
            offset += 1
            return JSONText.object(members)
        }
        for quote in quotes {
            guard let pair = quote.asset.binancePair else { continue }
            // Binance volume is a fraction of the global one.
            records.append(record(pair: pair, price: quote.price, open: quote.asset.open24h, quoteVolume: quote.volume24h * 0.2))
        }
        for pair in otherPairs {
            let price = pair.hasPrefix("BTC") ? btcPrice : 0.05
            records.append(record(pair: pair, price: price, open: price, quoteVolume: 1e6))
        }
        return "[" + records.joined(separator: ",") + "]"
    }

    static let rateLimited = #"{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."}"#
    static let banned = #"{"code":-1003,"msg":"Way too much request weight used; IP banned until later. Please use WebSocket Streams for live updates to avoid bans."}"#
    static let unavailable = #"{"code":0,"msg":"Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error."}"#
    static let serverError = #"{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}"#
}
