/// CoinGecko `/api/v3/coins/markets` responses (docs.coingecko.com, "Coins List with Market Data").
enum CoinGeckoShape {
    /// The page of coins selected by `ids` or `page`/`per_page` (1–250), market-cap order.
    static func markets(_ quotes: [MarketState.Quote], page: Int, perPage: Int, ids: Set<String>?, dropPriceEvery: Int?) -> String {
        let selected: ArraySlice<MarketState.Quote>
        if let ids {
            selected = ArraySlice(quotes.filter { ids.contains($0.asset.id) })
        } else {
            let start = (max(1, page) - 1) * perPage
            selected = start < quotes.count ? quotes[start..<min(quotes.count, start + perPage)] : []
        }
        var records: [String] = []
        records.reserveCapacity(selected.count)
        for (offset, quote) in selected.enumerated() {
            let a = quote.asset
            // Some coins lack short-term data, as new listings do on the real API.
            let sparse = quote.rank % 13 == 0
            var members: [(String, String)] = [
                ("id", JSONText.string(a.id)),
                ("symbol", JSONText.string(a.symbol.lowercased())),
                ("name", JSONText.string(a.name)),
                ("image", JSONText.string("https://coin-images.example/\(a.id).png")),
                ("current_price", JSONText.number(quote.price)),
                ("market_cap", JSONText.number(quote.marketCap.rounded())),
                ("market_cap_rank", String(quote.rank)),
                ("fully_diluted_valuation", "null"),
                ("total_volume", JSONText.number(quote.volume24h.rounded())),
                ("high_24h", sparse ? "null" : JSONText.number(max(quote.price, a.open24h) * 1.01)),
                ("low_24h", sparse ? "null" : JSONText.number(min(quote.price, a.open24h) * 0.99)),
                ("price_change_24h", JSONText.number(quote.price - a.open24h)),
                ("price_change_percentage_24h", JSONText.number(quote.change24h)),
                ("circulating_supply", JSONText.number(a.circulatingSupply)),
                ("total_supply", JSONText.number(a.circulatingSupply)),
                ("max_supply", "null"),
                ("roi", "null"),
                ("last_updated", JSONText.isoTime(quote.updatedMillis)),
                ("price_change_percentage_1h_in_currency", sparse ? "null" : JSONText.number(quote.change1h)),
                ("price_change_percentage_24h_in_currency", JSONText.number(quote.change24h)),
                ("price_change_percentage_7d_in_currency", sparse ? "null" : JSONText.number(quote.change7d)),
            ]
            if let every = dropPriceEvery, offset % every == 0 { members.removeAll { $0.0 == "current_price" } }
            records.append(JSONText.object(members))
        }
        return "[" + records.joined(separator: ",") + "]"
    }

    /// The documented throttling body; CoinGecko does not promise a `Retry-After`.
    static let rateLimited = #"{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits."}}"#

    static let serverError = #"{"status":{"error_code":503,"error_message":"Service temporarily unavailable"}}"#
}
