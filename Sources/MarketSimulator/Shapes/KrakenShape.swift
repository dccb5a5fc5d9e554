/// Kraken spot `GET /0/public/Ticker` responses (docs.kraken.com, "Get Ticker Information"):
/// `{"error": [], "result": {PAIR: {...}}}` with prices and volumes as strings, keyed by
/// Kraken's own pair names (legacy XXBTZUSD beside plain SOLUSD), errors in the `error` array.
enum KrakenShape {
    /// Tickers of the listed coins (all of them, or those `pairs` names), then the other pairs.
    /// `dropPriceEvery` removes `c` (last trade) from every n-th ticker (the `missing` fault).
    static func tickers(_ quotes: [MarketState.Quote], otherPairs: [String], pairs: Set<String>?, dropPriceEvery: Int?) -> String {
        var members: [(String, String)] = []
        var offset = 0
        let btcPrice = quotes.first?.price ?? 65_000
        func add(_ name: String, price: Double, open: Double, quoteVolume: Double) {
            guard pairs.map({ $0.contains(name) || $0.contains(altname(name)) }) ?? true else { return }
            let price = max(price, 1e-10)
            let vwap = (price + open) / 2
            let volume24h = quoteVolume / vwap
            var fields: [(String, String)] = [
                ("a", "[\(JSONText.decimalString(price * 1.0001, places: 10)),\"1\",\"1.000\"]"),
                ("b", "[\(JSONText.decimalString(price * 0.9999, places: 10)),\"2\",\"2.000\"]"),
                ("c", "[\(JSONText.decimalString(price, places: 10)),\(JSONText.decimalString(0.05))]"),
                ("v", "[\(JSONText.decimalString(volume24h * 0.4)),\(JSONText.decimalString(volume24h))]"),
                ("p", "[\(JSONText.decimalString(vwap, places: 10)),\(JSONText.decimalString(vwap, places: 10))]"),
                ("t", "[1200,3400]"),
                ("l", "[\(JSONText.decimalString(min(price, open) * 0.99, places: 10)),\(JSONText.decimalString(min(price, open) * 0.99, places: 10))]"),
                ("h", "[\(JSONText.decimalString(max(price, open) * 1.01, places: 10)),\(JSONText.decimalString(max(price, open) * 1.01, places: 10))]"),
                ("o", JSONText.decimalString(open, places: 10)),
            ]
            if let every = dropPriceEvery, offset % every == 0 { fields.removeAll { $0.0 == "c" } }
            offset += 1
            members.append((name, JSONText.object(fields)))
        }
        for quote in quotes {
            guard let pair = quote.asset.krakenPair else { continue }
            // Kraken carries a share of the global volume.
            add(pair, price: quote.price, open: quote.asset.open24h, quoteVolume: quote.volume24h * 0.05)
        }
        for pair in otherPairs {
            let price = pair.hasPrefix("XXBT") || pair.hasPrefix("XBT") ? btcPrice : 1.08
            add(pair, price: price, open: price, quoteVolume: 1e6)
        }
        return JSONText.object([("error", "[]"), ("result", JSONText.object(members))])
    }

    /// The name a client may ask for (`XBTUSD`) of a legacy pair (`XXBTZUSD`).
    static func altname(_ pair: String) -> String {
        guard pair.count == 8, pair.hasSuffix("ZUSD") || pair.hasSuffix("ZEUR") else { return pair }
        let base = pair.prefix(4), quote = pair.suffix(3)
        let code = base.hasPrefix("X") ? String(base.dropFirst()) : String(base)
        return code + quote
    }

    static func error(_ codes: String...) -> String {
        JSONText.object([("error", "[" + codes.map { JSONText.string($0) }.joined(separator: ",") + "]")])
    }

    static let unknownPair = error("EQuery:Unknown asset pair")
    static let rateLimited = error("EAPI:Rate limit exceeded")
    static let serverError = error("EService:Unavailable")
}
