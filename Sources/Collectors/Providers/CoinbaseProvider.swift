import CryptoVizCore
import Synchronization

/// Coinbase Exchange `GET /products/{BASE}-USD/ticker` (public, keyless), one request per product.
///
/// Docs: docs.cdp.coinbase.com "Get product ticker" — `trade_id`, `price`, `size`, `bid`, `ask`,
/// `volume` (base units, 24 h) as strings and `time` (ISO 8601 with microseconds, the last
/// trade's); "REST Rate Limits": public endpoints 10 requests/s per IP, bursts to 15.
///
/// Which products a poll reads: the watch list's tickers (`FetchScope.watchedSymbols`, in rank
/// order) that Coinbase trades against USD, `online` and not `trading_disabled`, according to
/// `GET /products` (kept for `listingLifetime`), at most `maxProductsPerPoll`. The venue has no
/// batch ticker, so the cost of a poll grows with the watch list: 60 products at 8 requests/s
/// take about 8 s, inside the default 30 s interval.
public struct CoinbaseProvider: MarketDataProvider {
    public static let defaultBaseURL = "https://api.exchange.coinbase.com"
    public static let quoteCurrency = "USD"

    public let id: ProviderID = .coinbase
    public let baseURL: String
    public let transport: ProviderTransport
    /// How long a `/products` listing is reused before it is read again.
    public let listingLifetime: Duration
    /// Upper bound of ticker requests in one poll.
    public let maxProductsPerPoll: Int
    /// Ticker requests in flight at once; the rate limiter paces them, this hides round trips.
    public let concurrency: Int
    /// The last `/products` listing and when it was read, shared by copies of this provider.
    private let cache = ListingCache()

    public init(baseURL: String, transport: ProviderTransport, listingLifetime: Duration = .seconds(3600),
                maxProductsPerPoll: Int = 150, concurrency: Int = 4) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
        self.listingLifetime = listingLifetime
        self.maxProductsPerPoll = max(1, maxProductsPerPoll)
        self.concurrency = max(1, concurrency)
    }

    public func fetch(_ scope: FetchScope) async throws -> ProviderBatch {
        var batch = ProviderBatch(provider: id)
        let listing: CoinbaseProductListing
        do {
            listing = try await currentListing()
        } catch let error as CollectorError {
            // A stale listing still names the right products; only a first failure fails the poll.
            guard let stale = cache.state.withLock({ $0?.listing }) else { throw error }
            batch.partialFailures.append(error)
            listing = stale
        }
        batch.ignoredRecords = listing.excluded
        let wanted = listing.products(for: scope.watchedSymbols, limit: maxProductsPerPoll)
        var results: [(Int, Result<SourceQuote, TickRejection>)] = []
        var failures: [CollectorError] = []
        try await withThrowingTaskGroup(of: (Int, Result<SourceQuote, TickRejection>?, CollectorError?).self) { group in
            var next = 0
            func start() {
                guard next < wanted.count else { return }
                let index = next, (symbol, product) = wanted[index]
                next += 1
                group.addTask {
                    do {
                        let result = try await transport.get("\(baseURL)/products/\(product)/ticker") { reply in
                            try Self.interpretTicker(reply, symbol: symbol)
                        }
                        return (index, result, nil)
                    } catch let error as CollectorError {
                        return (index, nil, error)
                    }
                }
            }
            for _ in 0..<concurrency { start() }
            while let (index, result, error) = try await group.next() {
                if let result { results.append((index, result)) }
                if let error { failures.append(error) }
                start()
            }
        }
        if !wanted.isEmpty, results.isEmpty, let first = failures.first { throw first }
        for (_, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let quote): batch.quotes.append(quote)
            case .failure(let rejection): batch.rejections.append(rejection)
            }
        }
        batch.partialFailures += failures
        return batch
    }

    /// The cached listing, read again once it is older than `listingLifetime`.
    private func currentListing() async throws -> CoinbaseProductListing {
        let now = ContinuousClock.now
        if let cached = cache.state.withLock({ $0 }), now - cached.fetched < listingLifetime { return cached.listing }
        let listing = try await transport.get("\(baseURL)/products") { reply in
            if let error = reply.statusError(provider: .coinbase) { throw error }
            return try CoinbaseProductListing.parse(reply.body)
        }
        cache.state.withLock { $0 = (listing, now) }
        return listing
    }

    /// Checks status and parses one ticker reply. A body that is not a ticker object fails the
    /// request; a ticker with a bad field is a rejection of that record.
    public static func interpretTicker(_ reply: HTTPReply, symbol: String) throws -> Result<SourceQuote, TickRejection> {
        if let error = reply.statusError(provider: .coinbase) { throw error }
        return try parseTicker(reply.body, symbol: symbol)
    }

    /// Parses a `/products/{id}/ticker` body for the product whose base ticker is `symbol`.
    public static func parseTicker(_ body: [UInt8], symbol: String) throws -> Result<SourceQuote, TickRejection> {
        let record = try ProviderJSON.document(body, provider: .coinbase)
        guard case .object = record else {
            throw CollectorError(provider: .coinbase, code: .malformedBody, "ticker: expected a JSON object, got \(record.typeName)")
        }
        do throws(TickRejection) {
            let price = try ProviderJSON.requiredDecimalString(record, "price")
            // The tick schema's volume_24h is in the quote currency; Coinbase reports base units
            // and no VWAP, so base volume × last price is the closest dollar figure it offers
            // (off by the day's drift from the average price).
            let volume = try ProviderJSON.optionalDecimalString(record, "volume").map { $0 * price }
            return .success(SourceQuote(identity: .exchangeBase(symbol), symbol: symbol, quoteCurrency: quoteCurrency,
                                        price: price, volume24h: volume,
                                        sourceTimeMillis: try ProviderJSON.requiredISOTime(record, "time")))
        } catch {
            return .failure(error)
        }
    }
}

/// A reference to the cached listing, so the provider value stays copyable.
private final class ListingCache: Sendable {
    let state = Mutex<(listing: CoinbaseProductListing, fetched: ContinuousClock.Instant)?>(nil)
}
