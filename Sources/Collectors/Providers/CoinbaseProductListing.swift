import CryptoVizCore

/// Coinbase Exchange's tradable USD products, from `GET /products`, by base ticker.
///
/// Docs: docs.cdp.coinbase.com "Get all known trading pairs" — each product has `id`
/// ("BTC-USD"), `base_currency`, `quote_currency`, `status` ("online", "offline", "internal",
/// "delisted") and `trading_disabled`. A product is pollable when it is quoted in USD, `online`
/// and not `trading_disabled`; everything else is counted as out of scope.
public struct CoinbaseProductListing: Sendable, Hashable {
    /// Product id ("BTC-USD") per upper-case base ticker ("BTC").
    public var usdProducts: [String: String]
    /// Products listed but out of scope (other quotes, not online, trading disabled, malformed).
    public var excluded: Int

    public init(usdProducts: [String: String] = [:], excluded: Int = 0) {
        self.usdProducts = usdProducts
        self.excluded = excluded
    }

    /// The products to poll: the watched tickers Coinbase trades against USD, in watch order,
    /// at most `limit` of them.
    public func products(for watchedSymbols: [String], limit: Int) -> [(symbol: String, product: String)] {
        var chosen: [(symbol: String, product: String)] = []
        var seen = Set<String>()
        for symbol in watchedSymbols where chosen.count < limit {
            let key = symbol.uppercased()
            guard seen.insert(key).inserted, let product = usdProducts[key] else { continue }
            chosen.append((key, product))
        }
        return chosen
    }

    /// Parses a `/products` body (a JSON array of product objects).
    public static func parse(_ body: [UInt8]) throws -> CoinbaseProductListing {
        let document = try ProviderJSON.document(body, provider: .coinbase)
        guard case .array(let records) = document else {
            throw CollectorError(provider: .coinbase, code: .malformedBody, "products: expected a JSON array, got \(document.typeName)")
        }
        var listing = CoinbaseProductListing()
        for record in records {
            guard let id = record["id"]?.stringValue, let base = record["base_currency"]?.stringValue, !base.isEmpty,
                let quote = record["quote_currency"]?.stringValue
            else {
                listing.excluded += 1
                continue
            }
            let disabled: Bool = if case .bool(true)? = record["trading_disabled"] { true } else { false }
            guard quote.uppercased() == CoinbaseProvider.quoteCurrency, record["status"]?.stringValue == "online", !disabled else {
                listing.excluded += 1
                continue
            }
            listing.usdProducts[base.uppercased()] = id
        }
        return listing
    }
}
