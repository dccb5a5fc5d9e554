import CryptoVizCore

/// CoinMarketCap `/v1/cryptocurrency/listings/latest` (API key required).
///
/// Docs: coinmarketcap.com/api/documentation (listings latest; "Errors and rate limits").
/// The body is `{"status": {...}, "data": [...]}`; `status.error_code` must be checked even on
/// HTTP 200 — 1001/1002 bad or missing key, 1003–1007 plan, 1008 per-minute and 1011 per-IP
/// throttles (retry after about a minute), 1009/1010 daily/monthly budget spent.
public struct CoinMarketCapProvider: MarketDataProvider {
    public static let defaultBaseURL = "https://pro-api.coinmarketcap.com"
    public static let keyHeader = "X-CMC_PRO_API_KEY"

    public let id: ProviderID = .coinMarketCap
    public let baseURL: String
    private let apiKey: String
    public let transport: ProviderTransport

    public init(baseURL: String, apiKey: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.transport = transport
    }

    public func fetch(_ scope: FetchScope) async throws -> ProviderBatch {
        // CMC's ranking differs from CoinGecko's near the cut: ask for half again as many so the
        // watch list is covered (still one credit per 200 records).
        let limit = min(5000, max(1, scope.topN + scope.topN / 2 + scope.explicitIDs.count))
        let url = "\(baseURL)/v1/cryptocurrency/listings/latest?start=1&limit=\(limit)&convert=USD"
        let page = try await transport.get(url, headers: [(Self.keyHeader, apiKey)]) { reply in
            try Self.interpret(reply)
        }
        return ProviderBatch(provider: id, quotes: page.quotes, rejections: page.rejections)
    }

    /// Records of one listings response.
    public struct ListingsPage: Sendable {
        public var quotes: [SourceQuote] = []
        public var rejections: [TickRejection] = []
    }

    /// Interprets a reply of any status: the body's `status.error_code` wins over the HTTP status
    /// because it is more precise (a 429 may be a per-minute throttle or a spent monthly budget).
    public static func interpret(_ reply: HTTPReply) throws -> ListingsPage {
        let document: JSONValue
        do {
            document = try ProviderJSON.document(reply.body, provider: .coinMarketCap)
        } catch {
            throw reply.statusError(provider: .coinMarketCap) ?? error
        }
        if let error = statusError(document, httpStatus: reply.status, retryAfter: reply.retryAfter) { throw error }
        if let error = reply.statusError(provider: .coinMarketCap) { throw error }
        return try parseListings(document)
    }

    /// The error the body's `status` object reports, if any.
    static func statusError(_ document: JSONValue, httpStatus: Int, retryAfter: Duration?) -> CollectorError? {
        guard let raw = document["status"]?["error_code"]?.doubleValue, raw != 0 else { return nil }
        let code = Int(raw)
        var text = "CoinMarketCap error_code \(code) (HTTP \(httpStatus))"
        if case .string(let message)? = document["status"]?["error_message"] {
            // Provider messages do not echo the key; still, cap the length of what we log.
            text += ": \(message.prefix(160))"
        }
        let kind: CollectorError.Code
        switch code {
        case 1001...1007: kind = .unauthorized
        case 1008, 1011: kind = .rateLimited
        case 1009, 1010: kind = .quotaExhausted
        case 500..<600: kind = .serverError
        default: kind = .requestRejected
        }
        return CollectorError(provider: .coinMarketCap, code: kind, text, retryAfter: retryAfter)
    }

    /// Parses the `data` array of a successful response.
    public static func parseListings(_ document: JSONValue) throws -> ListingsPage {
        guard case .array(let records)? = document["data"] else {
            throw CollectorError(provider: .coinMarketCap, code: .malformedBody, "missing `data` array")
        }
        var page = ListingsPage()
        for record in records {
            do throws(TickRejection) {
                page.quotes.append(try parseRecord(record))
            } catch {
                page.rejections.append(error)
            }
        }
        return page
    }

    static func parseRecord(_ record: JSONValue) throws(TickRejection) -> SourceQuote {
        guard case .object = record else {
            throw .unparsableField(field: "record", detail: "expected object, got \(record.typeName)")
        }
        let cmcID: Int64
        do { cmcID = try ProviderJSON.requiredInteger(record, "id") } catch { throw .missingAssetID }
        let symbol = try ProviderJSON.requiredString(record, "symbol")
        let listing = CoinMarketCapListing(
            id: cmcID,
            slug: try ProviderJSON.requiredString(record, "slug"),
            symbol: symbol,
            name: try ProviderJSON.requiredString(record, "name"),
            rank: try ProviderJSON.optionalNumber(record, "cmc_rank").flatMap { $0 >= 1 && $0 < 1e9 ? Int($0) : nil })
        guard let usd = record["quote"]?["USD"], case .object = usd else { throw .missingField(field: "quote.USD") }
        let time: Int64
        if (try? ProviderJSON.optionalString(usd, "last_updated")) != nil {
            time = try ProviderJSON.requiredISOTime(usd, "last_updated")
        } else {
            time = try ProviderJSON.requiredISOTime(record, "last_updated")
        }
        return SourceQuote(
            identity: .coinMarketCap(listing),
            symbol: symbol.uppercased(),
            price: try ProviderJSON.requiredNumber(usd, "price"),
            marketCap: try ProviderJSON.optionalNumber(usd, "market_cap"),
            volume24h: try ProviderJSON.optionalNumber(usd, "volume_24h"),
            change1h: try ProviderJSON.optionalNumber(usd, "percent_change_1h"),
            change24h: try ProviderJSON.optionalNumber(usd, "percent_change_24h"),
            change7d: try ProviderJSON.optionalNumber(usd, "percent_change_7d"),
            sourceTimeMillis: time)
    }
}
