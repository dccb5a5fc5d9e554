import Foundation

/// Coinbase Exchange REST responses (docs.cdp.coinbase.com, "Get all known trading pairs" and
/// "Get product ticker"): numbers as strings, times ISO 8601 with microseconds.
enum CoinbaseShape {
    /// `GET /products`: the USD products of the listed coins, then the out-of-scope ones.
    static func products(_ quotes: [MarketState.Quote], others: [SimulatedUniverse.CoinbaseListingEntry]) -> String {
        var records: [String] = []
        for quote in quotes {
            guard let id = quote.asset.coinbaseProduct else { continue }
            records.append(product(id: id, base: quote.asset.symbol, quote: "USD", status: "online"))
        }
        for entry in others {
            records.append(product(id: entry.id, base: entry.base, quote: entry.quote, status: entry.status))
        }
        return "[" + records.joined(separator: ",") + "]"
    }

    private static func product(id: String, base: String, quote: String, status: String) -> String {
        JSONText.object([
            ("id", JSONText.string(id)),
            ("base_currency", JSONText.string(base)),
            ("quote_currency", JSONText.string(quote)),
            ("quote_increment", JSONText.string("0.00000001")),
            ("base_increment", JSONText.string("0.00000001")),
            ("display_name", JSONText.string("\(base)/\(quote)")),
            ("min_market_funds", JSONText.string("1")),
            ("margin_enabled", "false"),
            ("post_only", "false"),
            ("limit_only", "false"),
            ("cancel_only", "false"),
            ("status", JSONText.string(status)),
            ("status_message", JSONText.string("")),
            ("trading_disabled", status == "online" ? "false" : "true"),
            ("fx_stablecoin", "false"),
            ("auction_mode", "false"),
        ])
    }

    /// `GET /products/{id}/ticker` for one listed coin. The last trade is "now"; `dropPrice`
    /// removes `price` (the `missing` fault: a one-record body loses its price).
    static func ticker(_ quote: MarketState.Quote, rank: Int, nowMillis: Int64, dropPrice: Bool) -> String {
        let price = max(quote.price, 1e-10)
        // Coinbase carries a share of the global volume, reported in base units.
        let baseVolume = quote.volume24h * 0.1 / price
        var members: [(String, String)] = [
            ("ask", JSONText.decimalString(price * 1.0001, places: 10)),
            ("bid", JSONText.decimalString(price * 0.9999, places: 10)),
            ("volume", JSONText.decimalString(baseVolume, places: 8)),
            ("trade_id", String(nowMillis / 10 * 1000 + Int64(rank))),
            ("price", JSONText.decimalString(price, places: 10)),
            ("size", JSONText.decimalString(0.25, places: 8)),
            ("time", JSONText.isoTimeMicros(nowMillis)),
            ("rfq_volume", JSONText.decimalString(0, places: 6)),
        ]
        if dropPrice { members.removeAll { $0.0 == "price" } }
        return JSONText.object(members)
    }

    static let notFound = #"{"message":"NotFound"}"#
    static let rateLimited = #"{"message":"Public rate limit exceeded"}"#
    static let serverError = #"{"message":"Internal server error"}"#
}
