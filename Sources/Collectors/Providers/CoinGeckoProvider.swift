import CryptoVizCore
import Foundation

/// CoinGecko `/coins/markets`: prices, market caps and the canonical asset listing.
///
/// Docs: docs.coingecko.com "Coins List with Market Data" — `vs_currency`, `order`,
/// `per_page` (1–250), `page`, `ids`, `price_change_percentage=1h,24h,7d`. Numeric fields may
/// be null and small prices arrive in exponent form; `last_updated` is ISO 8601 UTC.
/// Keys: Demo via `x-cg-demo-api-key`; Pro via `x-cg-pro-api-key` on pro-api.coingecko.com.
public struct CoinGeckoProvider: MarketDataProvider {
    /// Which CoinGecko plan's key, if any, to send.
    public enum Key: Sendable, Hashable {
        case demo(String)
        case pro(String)
    }

    public static let publicBaseURL = "https://api.coingecko.com/api/v3"
    public static let proBaseURL = "https://pro-api.coingecko.com/api/v3"
    public static let pageSize = 250

    public let id: ProviderID = .coinGecko
    public let baseURL: String
    public let key: Key?
    public let transport: ProviderTransport

    public init(baseURL: String, key: Key?, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
        self.transport = transport
    }

    public func fetch(_ scope: FetchScope) async throws -> ProviderBatch {
        var batch = ProviderBatch(provider: id)
        let wanted = max(1, max(scope.topN, scope.directoryDepth))
        let pages = (wanted + Self.pageSize - 1) / Self.pageSize
        for page in 1...pages {
            do {
                let result = try await request(query: "page=\(page)")
                merge(result, into: &batch)
                if result.recordCount < Self.pageSize { break }
            } catch let error as CollectorError where page > 1 {
                batch.partialFailures.append(error)
                break
            }
        }
        let seen = Set(batch.listings.map(\.id))
        let missing = scope.explicitIDs.filter { !seen.contains($0) }
        var start = 0
        while start < missing.count {
            let chunk = missing[start..<min(missing.count, start + Self.pageSize)]
            start += Self.pageSize
            let ids = chunk.map(\.rawValue).joined(separator: ",")
            let encoded = ids.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ids
            do {
                merge(try await request(query: "ids=\(encoded)"), into: &batch)
            } catch let error as CollectorError {
                batch.partialFailures.append(error)
            }
        }
        return batch
    }

    private func merge(_ page: MarketsPage, into batch: inout ProviderBatch) {
        batch.quotes += page.quotes
        batch.listings += page.listings
        batch.rejections += page.rejections
    }

    private func request(query: String) async throws -> MarketsPage {
        let url = "\(baseURL)/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=\(Self.pageSize)"
            + "&\(query)&price_change_percentage=1h,24h,7d&sparkline=false"
        var headers: [(String, String)] = []
        switch key {
        case .demo(let value)?: headers.append(("x-cg-demo-api-key", value))
        case .pro(let value)?: headers.append(("x-cg-pro-api-key", value))
        case nil: break
        }
        return try await transport.get(url, headers: headers) { reply in
            try Self.interpret(reply)
        }
    }

    /// Records of one `/coins/markets` response.
    public struct MarketsPage: Sendable {
        public var quotes: [SourceQuote] = []
        public var listings: [CoinGeckoListing] = []
        public var rejections: [TickRejection] = []
        public var recordCount = 0
    }

    /// Checks status and parses a `/coins/markets` reply.
    public static func interpret(_ reply: HTTPReply) throws -> MarketsPage {
        if let error = reply.statusError(provider: .coinGecko) { throw error }
        return try parseMarkets(reply.body)
    }

    /// Parses a `/coins/markets` body: a JSON array of coin objects. An error object
    /// (`{"status": {"error_code": 429, ...}}`) sent with HTTP 200 is still an error.
    public static func parseMarkets(_ body: [UInt8]) throws -> MarketsPage {
        let document = try ProviderJSON.document(body, provider: .coinGecko)
        guard case .array(let records) = document else {
            if let code = document["status"]?["error_code"]?.doubleValue {
                let code = Int(code)
                throw CollectorError(provider: .coinGecko, code: code == 429 ? .rateLimited : .requestRejected,
                                     "CoinGecko error_code \(code)")
            }
            throw CollectorError(provider: .coinGecko, code: .malformedBody, "expected a JSON array, got \(document.typeName)")
        }
        var page = MarketsPage()
        page.recordCount = records.count
        for record in records {
            do throws(TickRejection) {
                let listing = try parseListing(record)
                // The identity is usable even when the values are not: keep it for the directory.
                page.listings.append(listing)
                page.quotes.append(try parseQuote(record, listing: listing))
            } catch {
                page.rejections.append(error)
            }
        }
        return page
    }

    /// The identity part of one coin object.
    static func parseListing(_ record: JSONValue) throws(TickRejection) -> CoinGeckoListing {
        guard case .object = record else {
            throw .unparsableField(field: "record", detail: "expected object, got \(record.typeName)")
        }
        let id: String
        do { id = try ProviderJSON.requiredString(record, "id") } catch { throw .missingAssetID }
        let symbol = try ProviderJSON.requiredString(record, "symbol")
        let name = try ProviderJSON.optionalString(record, "name") ?? symbol
        let rankValue = try ProviderJSON.optionalNumber(record, "market_cap_rank")
        let marketCap = try ProviderJSON.optionalNumber(record, "market_cap")
        let rank = rankValue.flatMap { $0 >= 1 && $0 < 1e9 ? Int($0) : nil }
        return CoinGeckoListing(id: AssetID(id), symbol: symbol, name: name, marketCapRank: rank, marketCap: marketCap)
    }

    /// The market values of one coin object.
    static func parseQuote(_ record: JSONValue, listing: CoinGeckoListing) throws(TickRejection) -> SourceQuote {
        var change24h = try ProviderJSON.optionalNumber(record, "price_change_percentage_24h_in_currency")
        if change24h == nil { change24h = try ProviderJSON.optionalNumber(record, "price_change_percentage_24h") }
        return SourceQuote(
            identity: .coinGecko(listing.id),
            symbol: listing.symbol.uppercased(),
            price: try ProviderJSON.requiredNumber(record, "current_price"),
            marketCap: listing.marketCap,
            volume24h: try ProviderJSON.optionalNumber(record, "total_volume"),
            change1h: try ProviderJSON.optionalNumber(record, "price_change_percentage_1h_in_currency"),
            change24h: change24h,
            change7d: try ProviderJSON.optionalNumber(record, "price_change_percentage_7d_in_currency"),
            sourceTimeMillis: try ProviderJSON.requiredISOTime(record, "last_updated"))
    }
}
