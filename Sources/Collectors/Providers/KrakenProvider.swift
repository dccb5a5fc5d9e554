import CryptoVizCore

/// Kraken spot `GET /0/public/Ticker` (public, keyless): every tradable pair's ticker in one call.
///
/// Docs: docs.kraken.com "Get Ticker Information" — leaving `pair` out returns every tradable
/// pair, keyed by Kraken's own pair names (`XXBTZUSD`, `SOLUSD`); each value holds strings:
/// `c` = [last price, lot volume], `v` = [volume today, volume last 24 h], `p` = [VWAP today,
/// VWAP last 24 h], `o` = today's opening price ("today" starts at 00:00 UTC). The envelope is
/// `{"error": [...], "result": {...}}` and errors arrive in `error`, often with HTTP 200.
///
/// Only USD-quoted crypto pairs are used (`KrakenPairName` decides, and maps XBT → BTC,
/// XDG → DOGE); others are counted as ignored. One call per poll whatever the watch list, so
/// the rate budget does not grow with it.
///
/// Source time: Kraken REST carries no time per ticker, so a quote's source time is the moment
/// its response arrived (local clock, milliseconds). Polls are therefore always new events for
/// the deduplicator, and the time is an upper bound of the venue's own, late by one round trip.
public struct KrakenProvider: MarketDataProvider {
    public static let defaultBaseURL = "https://api.kraken.com"

    public let id: ProviderID = .kraken
    public let baseURL: String
    public let transport: ProviderTransport

    public init(baseURL: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    public func fetch(_ scope: FetchScope) async throws -> ProviderBatch {
        let page = try await transport.get("\(baseURL)/0/public/Ticker") { reply in
            try Self.interpret(reply, receivedAtMillis: currentUnixMillis())
        }
        return ProviderBatch(provider: id, quotes: page.quotes, rejections: page.rejections, ignoredRecords: page.ignored)
    }

    /// Records of one ticker response.
    public struct TickerPage: Sendable {
        public var quotes: [SourceQuote] = []
        public var rejections: [TickRejection] = []
        /// Pairs not quoted in USD, and fiat pairs.
        public var ignored = 0
    }

    /// Checks status and the `error` array, then parses.
    public static func interpret(_ reply: HTTPReply, receivedAtMillis: Int64) throws -> TickerPage {
        if let error = reply.statusError(provider: .kraken) { throw error }
        return try parseTicker(reply.body, receivedAtMillis: receivedAtMillis)
    }

    /// Parses a Ticker body. A non-empty `error` array fails the request with the codes Kraken
    /// gave; rate-limit and service codes are classified so the transport retries them.
    public static func parseTicker(_ body: [UInt8], receivedAtMillis: Int64) throws -> TickerPage {
        let document = try ProviderJSON.document(body, provider: .kraken)
        guard case .object = document else {
            throw CollectorError(provider: .kraken, code: .malformedBody, "expected a JSON object, got \(document.typeName)")
        }
        switch document["error"] {
        case .array(let errors)? where !errors.isEmpty:
            throw krakenError(errors.map { $0.stringValue ?? $0.typeName })
        case .array?, nil, .null?:
            break
        case let other?:
            throw CollectorError(provider: .kraken, code: .malformedBody, "'error' is \(other.typeName), expected an array")
        }
        guard case .object(let pairs)? = document["result"] else {
            throw CollectorError(provider: .kraken, code: .malformedBody,
                                 "'result' is \(document["result"]?.typeName ?? "missing"), expected an object")
        }
        var page = TickerPage()
        // Sorted so that the batch, and which of two pairs of one base wins, never depends on hash order.
        for name in pairs.keys.sorted() {
            guard case .usdQuoted(let base) = KrakenPairName.classify(name) else {
                page.ignored += 1
                continue
            }
            do throws(TickRejection) {
                page.quotes.append(try parseQuote(pairs[name] ?? .null, base: base, receivedAtMillis: receivedAtMillis))
            } catch {
                page.rejections.append(error)
            }
        }
        return page
    }

    /// One pair's ticker object.
    static func parseQuote(_ record: JSONValue, base: String, receivedAtMillis: Int64) throws(TickRejection) -> SourceQuote {
        guard case .object = record else {
            throw .unparsableField(field: "record", detail: "expected object, got \(record.typeName)")
        }
        guard let price = try element(record, "c", 0) else { throw .missingField(field: "c") }
        // The tick schema's volume_24h is in the quote currency: Kraken's 24-hour base volume
        // times its 24-hour VWAP is exactly the dollars traded in that window.
        var volume: Double?
        if let baseVolume = try element(record, "v", 1), let vwap = try element(record, "p", 1) {
            volume = baseVolume * vwap
        }
        // `o` is today's open (since 00:00 UTC), not the price 24 h ago: no change_24h is derived.
        return SourceQuote(identity: .exchangeBase(base), symbol: base, quoteCurrency: "USD", price: price,
                           volume24h: volume, sourceTimeMillis: receivedAtMillis)
    }

    /// The decimal string at `index` of the array `field` (`"c": ["65000.1", "0.01"]`).
    private static func element(_ record: JSONValue, _ field: String, _ index: Int) throws(TickRejection) -> Double? {
        switch record[field] {
        case nil, .null?: return nil
        case .array(let items)?:
            guard index < items.count else {
                throw .unparsableField(field: field, detail: "array of \(items.count), expected at least \(index + 1)")
            }
            return try ProviderJSON.decimal(items[index], field: field)
        case let other?:
            throw .unparsableField(field: field, detail: "expected array, got \(other.typeName)")
        }
    }

    /// A `CollectorError` for Kraken's `error` codes ("EAPI:Rate limit exceeded", "EService:Busy",
    /// "EQuery:Unknown asset pair"), classified for the retry policy.
    static func krakenError(_ codes: [String]) -> CollectorError {
        let text = codes.joined(separator: "; ")
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        let code: CollectorError.Code
        if codes.contains(where: { $0.contains("Rate limit") || $0.contains("Too many requests") }) {
            code = .rateLimited
        } else if codes.contains(where: { $0.hasPrefix("EService:") }) {
            code = .serverError
        } else {
            code = .requestRejected
        }
        return CollectorError(provider: .kraken, code: code, "Kraken error: \(shown)")
    }
}
