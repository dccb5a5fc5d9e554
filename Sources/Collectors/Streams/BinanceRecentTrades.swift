import CryptoVizCore

/// Binance spot `GET /api/v3/trades?symbol=S&limit=1000` ("Recent trades list", weight 25):
/// the last 1 000 trades at most, `[{id, price, qty, quoteQty, time, isBuyerMaker, isBestMatch}]`
/// with prices and quantities as strings (developers.binance.com/docs/binance-spot-api-docs/rest-api).
public struct BinanceRecentTrades: TradeGapRepair {
    public static let weight = 25
    public static let maxLimit = 1000

    public let baseURL: String
    public let transport: ProviderTransport

    public init(baseURL: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    public func recentTrades(pair: String) async throws -> [TradeEvent] {
        // The pair came from the stream: only plain upper-case alphanumerics go into a URL.
        guard !pair.isEmpty, pair.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw CollectorError(provider: .binance, code: .requestRejected, "not a Binance pair: \(pair.prefix(20))")
        }
        return try await transport.get("\(baseURL)/api/v3/trades?symbol=\(pair)&limit=\(Self.maxLimit)", weight: Self.weight) { reply in
            if let error = reply.statusError(provider: .binance) { throw error }
            return try Self.parse(reply.body, pair: pair)
        }
    }

    /// Parses the array; a record that is not a usable trade fails the whole repair (a
    /// half-understood answer must not be mistaken for the venue's record).
    static func parse(_ body: [UInt8], pair: String) throws -> [TradeEvent] {
        let document = try ProviderJSON.document(body, provider: .binance)
        guard case .array(let records) = document, let base = BinanceStreamParser.base(ofPair: pair) else {
            throw CollectorError(provider: .binance, code: .malformedBody, "recent trades: expected a JSON array")
        }
        var trades: [TradeEvent] = []
        trades.reserveCapacity(records.count)
        for record in records {
            do throws(TickRejection) {
                guard case .bool(let maker)? = record["isBuyerMaker"] else { throw .missingField(field: "isBuyerMaker") }
                let time = try ProviderJSON.requiredInteger(record, "time")
                trades.append(TradeEvent(
                    provider: .binance, pair: pair, base: base, quoteCurrency: BinanceStreamParser.quoteAsset,
                    tradeID: try ProviderJSON.requiredInteger(record, "id"),
                    price: try ProviderJSON.requiredDecimalString(record, "price"),
                    quantity: try ProviderJSON.requiredDecimalString(record, "qty"),
                    buyerIsMaker: maker, tradeTimeMillis: time, eventTimeMillis: time))
            } catch {
                throw CollectorError(provider: .binance, code: .malformedBody, "recent trades: \(error)")
            }
        }
        return trades
    }
}
