import CryptoVizCore

/// Coinbase Exchange `GET /products/{id}/trades?limit=1000` ("Get product trades"): the latest
/// trades, newest first, `[{time, trade_id, price, size, side}]` with numbers as strings; `side`
/// is the maker's side, so `buy` means the buyer was the maker
/// (docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-trades).
public struct CoinbaseRecentTrades: TradeGapRepair {
    public static let maxLimit = 1000

    public let baseURL: String
    public let transport: ProviderTransport

    public init(baseURL: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    public func recentTrades(pair: String) async throws -> [TradeEvent] {
        // The product came from the stream: only upper-case alphanumerics and '-' go into a URL.
        guard !pair.isEmpty, pair.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x2D }) else {
            throw CollectorError(provider: .coinbase, code: .requestRejected, "not a Coinbase product: \(pair.prefix(20))")
        }
        return try await transport.get("\(baseURL)/products/\(pair)/trades?limit=\(Self.maxLimit)") { reply in
            if let error = reply.statusError(provider: .coinbase) { throw error }
            return try Self.parse(reply.body, product: pair)
        }
    }

    /// Parses the array into trades oldest first; a record that is not a usable trade fails the
    /// whole repair (a half-understood answer must not be mistaken for the venue's record).
    static func parse(_ body: [UInt8], product: String) throws -> [TradeEvent] {
        let document = try ProviderJSON.document(body, provider: .coinbase)
        let parts = product.split(separator: "-")
        guard case .array(let records) = document, parts.count == 2 else {
            throw CollectorError(provider: .coinbase, code: .malformedBody, "product trades: expected a JSON array")
        }
        var trades: [TradeEvent] = []
        trades.reserveCapacity(records.count)
        for record in records {
            do throws(TickRejection) {
                let side = try ProviderJSON.requiredString(record, "side")
                guard side == "buy" || side == "sell" else { throw .unparsableField(field: "side", detail: "not buy or sell") }
                let time = try ProviderJSON.requiredISOTime(record, "time")
                trades.append(TradeEvent(
                    provider: .coinbase, pair: product, base: String(parts[0]), quoteCurrency: String(parts[1]),
                    tradeID: try ProviderJSON.requiredInteger(record, "trade_id"),
                    price: try ProviderJSON.requiredDecimalString(record, "price"),
                    quantity: try ProviderJSON.requiredDecimalString(record, "size"),
                    buyerIsMaker: side == "buy", tradeTimeMillis: time, eventTimeMillis: time))
            } catch {
                throw CollectorError(provider: .coinbase, code: .malformedBody, "product trades: \(error)")
            }
        }
        return trades.sorted { $0.tradeID < $1.tradeID }
    }
}
