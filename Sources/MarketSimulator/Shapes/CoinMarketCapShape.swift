/// CoinMarketCap `/v1/cryptocurrency/listings/latest` responses: `{status, data}`, where
/// `status.error_code` is 0 on success (coinmarketcap.com/api/documentation).
enum CoinMarketCapShape {
    static func status(errorCode: Int, message: String?, creditCount: Int, totalCount: Int?, nowMillis: Int64) -> String {
        var members: [(String, String)] = [
            ("timestamp", JSONText.isoTime(nowMillis)),
            ("error_code", String(errorCode)),
            ("error_message", JSONText.string(message)),
            ("elapsed", "7"),
            ("credit_count", String(creditCount)),
            ("notice", "null"),
        ]
        if let totalCount { members.append(("total_count", String(totalCount))) }
        return JSONText.object(members)
    }

    /// An error body (`data` absent), as CMC sends for key, plan and throttling failures.
    static func error(code: Int, message: String, nowMillis: Int64) -> String {
        "{\"status\":" + status(errorCode: code, message: message, creditCount: 0, totalCount: nil, nowMillis: nowMillis) + "}"
    }

    static func listings(_ quotes: [MarketState.Quote], start: Int, limit: Int, nowMillis: Int64, dropPriceEvery: Int?) -> String {
        let from = max(1, start) - 1
        let selected = from < quotes.count ? quotes[from..<min(quotes.count, from + limit)] : []
        var records: [String] = []
        records.reserveCapacity(selected.count)
        for (offset, quote) in selected.enumerated() {
            let a = quote.asset
            var usd: [(String, String)] = [
                ("price", JSONText.number(quote.price)),
                ("volume_24h", JSONText.number(quote.volume24h)),
                ("volume_change_24h", JSONText.number(1.5)),
                ("percent_change_1h", JSONText.number(quote.change1h)),
                ("percent_change_24h", JSONText.number(quote.change24h)),
                ("percent_change_7d", JSONText.number(quote.change7d)),
                ("market_cap", JSONText.number(quote.marketCap)),
                ("market_cap_dominance", JSONText.number(0.1)),
                ("fully_diluted_market_cap", JSONText.number(quote.marketCap)),
                ("tvl", "null"),
                ("last_updated", JSONText.isoTime(quote.updatedMillis)),
            ]
            if let every = dropPriceEvery, offset % every == 0 { usd.removeAll { $0.0 == "price" } }
            records.append(JSONText.object([
                ("id", String(a.cmcID)),
                ("name", JSONText.string(a.cmcName)),
                ("symbol", JSONText.string(a.symbol)),
                ("slug", JSONText.string(a.cmcSlug)),
                ("num_market_pairs", "42"),
                ("date_added", JSONText.string("2019-01-01T00:00:00.000Z")),
                ("tags", "[]"),
                ("max_supply", "null"),
                ("circulating_supply", JSONText.number(a.circulatingSupply)),
                ("total_supply", JSONText.number(a.circulatingSupply)),
                ("infinite_supply", "false"),
                ("platform", "null"),
                ("cmc_rank", String(quote.rank)),
                ("self_reported_circulating_supply", "null"),
                ("self_reported_market_cap", "null"),
                ("tvl_ratio", "null"),
                ("last_updated", JSONText.isoTime(quote.updatedMillis)),
                ("quote", JSONText.object([("USD", JSONText.object(usd))])),
            ]))
        }
        let credits = max(1, (selected.count + 199) / 200)
        return "{\"status\":" + status(errorCode: 0, message: nil, creditCount: credits, totalCount: quotes.count, nowMillis: nowMillis)
            + ",\"data\":[" + records.joined(separator: ",") + "]}"
    }
}
