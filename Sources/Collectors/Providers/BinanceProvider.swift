import CryptoVizCore

/// Binance spot `/api/v3/ticker/24hr` (public, keyless): every symbol's 24-hour statistics.
///
/// Docs: developers.binance.com/docs/binance-spot-api-docs/rest-api ("24hr ticker price change
/// statistics": weight 80 without `symbol(s)`; "LIMITS": `X-MBX-USED-WEIGHT-1M`, 429 with
/// `Retry-After`, 418 ban). Prices and volumes are JSON strings. Only `…USDT` pairs are used,
/// reported as quotes in USDT; other pairs are counted as ignored.
public struct BinanceProvider: MarketDataProvider {
    public static let defaultBaseURL = "https://api.binance.com"
    /// Documented request weight of the all-symbols ticker.
    public static let allTickersWeight = 80
    public static let quoteAsset = "USDT"

    public let id: ProviderID = .binance
    public let baseURL: String
    public let transport: ProviderTransport

    public init(baseURL: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    public func fetch(_ scope: FetchScope) async throws -> ProviderBatch {
        let limiter = transport.limiter
        let (page, usedWeight) = try await transport.get("\(baseURL)/api/v3/ticker/24hr", weight: Self.allTickersWeight) { reply in
            (try Self.interpret(reply), reply.headers["x-mbx-used-weight-1m"].flatMap { Int($0) })
        }
        if let usedWeight, usedWeight + Self.allTickersWeight > limiter.limit.capacity {
            // The server's count includes other clients on this IP: wait for its minute to roll over.
            let millisIntoMinute = currentUnixMillis() % 60_000
            await limiter.pause(for: .milliseconds(60_000 - millisIntoMinute + 250))
            transport.logger.notice("Binance used weight near the limit; pausing until the next minute",
                                    metadata: ["provider": "binance", "used_weight": "\(usedWeight)"])
        }
        return ProviderBatch(provider: id, quotes: page.quotes, rejections: page.rejections, ignoredRecords: page.ignored)
    }

    /// Records of one ticker response.
    public struct TickerPage: Sendable {
        public var quotes: [SourceQuote] = []
        public var rejections: [TickRejection] = []
        /// Pairs not quoted in USDT.
        public var ignored = 0
    }

    public static func interpret(_ reply: HTTPReply) throws -> TickerPage {
        if let error = reply.statusError(provider: .binance) { throw error }
        return try parseTickers(reply.body)
    }

    /// Parses the array of 24-hour ticker objects.
    public static func parseTickers(_ body: [UInt8]) throws -> TickerPage {
        let document = try ProviderJSON.document(body, provider: .binance)
        guard case .array(let records) = document else {
            throw CollectorError(provider: .binance, code: .malformedBody, "expected a JSON array, got \(document.typeName)")
        }
        var page = TickerPage()
        for record in records {
            do throws(TickRejection) {
                let pair: String
                do { pair = try ProviderJSON.requiredString(record, "symbol") } catch { throw .missingAssetID }
                guard pair.hasSuffix(quoteAsset), pair.count > quoteAsset.count else {
                    page.ignored += 1
                    continue
                }
                let base = String(pair.dropLast(quoteAsset.count))
                page.quotes.append(SourceQuote(
                    identity: .exchangeBase(base),
                    symbol: base,
                    quoteCurrency: quoteAsset,
                    price: try ProviderJSON.requiredDecimalString(record, "lastPrice"),
                    volume24h: try ProviderJSON.optionalDecimalString(record, "quoteVolume"),
                    change24h: try ProviderJSON.optionalDecimalString(record, "priceChangePercent"),
                    sourceTimeMillis: try ProviderJSON.requiredInteger(record, "closeTime")))
            } catch {
                page.rejections.append(error)
            }
        }
        return page
    }
}
