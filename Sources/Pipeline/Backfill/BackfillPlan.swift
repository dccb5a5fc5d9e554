import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Lakehouse
import Logging

/// Everything `cryptoviz backfill` was asked for, turned into jobs: the asset directory from
/// CoinGecko's listing, each provider's series, one transport (limiter, retries) per provider.
public struct BackfillPlan: Sendable {
    /// The command's choices.
    public struct Options: Sendable {
        public var providers: [ProviderID] = [.binance]
        public var assets: BackfillSelection.Assets = .top(100)
        public var interval: CandleInterval = .oneMinute
        public var range: BackfillRange
        public var binanceURL = BinanceProvider.defaultBaseURL
        public var coinGeckoURL = CoinGeckoProvider.publicBaseURL
        public var coinGeckoKey: CoinGeckoProvider.Key?
        /// Binance's request weight per minute (the documented 6000 by default).
        public var binanceLimit: RateLimit = .binanceSpot
        /// CoinGecko calls per minute (keyless: 10).
        public var coinGeckoLimit: RateLimit = .coinGeckoPublic
        /// Listings read to rank and resolve assets.
        public var directoryDepth = 250

        public init(range: BackfillRange) { self.range = range }
    }

    public var jobs: [BackfillJob] = []
    /// Asked-for assets a provider does not carry.
    public var missing: [ProviderID: [AssetID]] = [:]
    /// What the plan had to decide for the user (CoinGecko's granularity), for the log.
    public var notes: [String] = []

    /// Retries for history pages: more patient than the live poll, since a backfill has no
    /// next poll to catch up in; a `Retry-After` up to two minutes is waited out.
    public static let retry = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(500), maxDelay: .seconds(15), maxRetryAfter: .seconds(130))

    public static func make(_ options: Options, client: HTTPClient, logger: Logger) async throws -> BackfillPlan {
        var plan = BackfillPlan()
        let health = ProviderHealthBoard()
        func transport(_ provider: ProviderID, _ limit: RateLimit) -> ProviderTransport {
            ProviderTransport(provider: provider, client: client, limiter: RateLimiter(limit: limit), retry: Self.retry,
                              timeout: .seconds(30), defaultBackoff: .seconds(provider == .binance ? 30 : 60),
                              health: health, logger: logger)
        }
        let coinGeckoTransport = transport(.coinGecko, options.coinGeckoLimit)
        let binanceTransport = transport(.binance, options.binanceLimit)
        // Identity and ranking come from CoinGecko's listing, as for the live collectors.
        let listing = try await CoinGeckoProvider(baseURL: options.coinGeckoURL, key: options.coinGeckoKey, transport: coinGeckoTransport)
            .fetch(FetchScope(topN: options.directoryDepth, directoryDepth: options.directoryDepth))
        let directory = AssetDirectory(listings: listing.listings)
        guard !directory.isEmpty else { throw BackfillError("CoinGecko's listing came back empty: no asset can be resolved") }
        let range = options.range
        for provider in options.providers {
            switch provider {
            case .binance:
                guard BinanceKlineClient.intervalName(millis: options.interval.millis) != nil else {
                    throw BackfillError("Binance has no \(options.interval.rawValue) klines")
                }
                let tickers = try await BinanceProvider(baseURL: options.binanceURL, transport: binanceTransport).fetch(FetchScope(topN: 0))
                let bases = tickers.quotes.compactMap { quote -> String? in
                    if case .exchangeBase(let base) = quote.identity { return base }
                    return nil
                }
                let (series, missing) = BackfillSelection.binance(directory: directory, baseSymbols: bases, assets: options.assets,
                                                                 intervalMillis: options.interval.millis)
                let client = BinanceKlineClient(baseURL: options.binanceURL, transport: binanceTransport)
                plan.jobs += series.map {
                    BackfillJob(source: client, series: $0, interval: options.interval, fromMillis: range.fromMillis, untilMillis: range.untilMillis)
                }
                if !missing.isEmpty { plan.missing[.binance] = missing }
            case .coinGecko:
                let interval = Self.coinGeckoInterval(asked: options.interval, range: range, nowMillis: currentUnixMillis())
                if interval != options.interval {
                    plan.notes.append("CoinGecko gives \(interval.rawValue) points for this range (asked \(options.interval.rawValue)): writing \(interval.rawValue) candles")
                }
                let aligned = try BackfillRange(fromMillis: range.fromMillis, untilMillis: range.untilMillis, interval: interval)
                let (series, missing) = BackfillSelection.coinGecko(directory: directory, assets: options.assets, intervalMillis: interval.millis)
                let client = CoinGeckoRangeClient(baseURL: options.coinGeckoURL, key: options.coinGeckoKey, transport: coinGeckoTransport)
                plan.jobs += series.map {
                    BackfillJob(source: client, series: $0, interval: interval, fromMillis: aligned.fromMillis, untilMillis: aligned.untilMillis)
                }
                if !missing.isEmpty { plan.missing[.coinGecko] = missing }
            default:
                throw BackfillError("no history endpoint for provider '\(provider)' (binance, coingecko)")
            }
        }
        return plan
    }

    /// CoinGecko's public tier decides the spacing by the range: 5-minute points only within a
    /// day of now, hourly otherwise (daily when asked for days).
    static func coinGeckoInterval(asked: CandleInterval, range: BackfillRange, nowMillis: Int64) -> CandleInterval {
        switch asked {
        case .oneDay: return .oneDay
        case .oneHour: return .oneHour
        case .oneMinute, .fiveMinutes:
            return nowMillis - range.fromMillis <= 86_400_000 ? .fiveMinutes : .oneHour
        }
    }
}

extension BackfillRange {
    /// `fromMillis`…`untilMillis` re-aligned to a wider interval (inward).
    init(fromMillis: Int64, untilMillis: Int64, interval: CandleInterval) throws {
        let from = interval.bucketStart(fromMillis + interval.millis - 1), until = interval.bucketStart(untilMillis)
        guard from < until else { throw BackfillError("the range holds no whole \(interval.rawValue) bar") }
        self.fromMillis = from
        self.untilMillis = until
    }
}
