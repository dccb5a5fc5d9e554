import AsyncHTTPClient
import CryptoVizCore
import Logging

/// The one place where provider ids are bound to adapter implementations.
///
/// Adding a provider means one file for its adapter and one entry in `factories`.
public enum ProviderRegistry {
    /// Builds an adapter from its settings, or explains why it cannot run.
    public typealias Factory = @Sendable (CollectorConfiguration, ProviderTransport) -> Result<any MarketDataProvider, CollectorError>

    public static let factories: [ProviderID: Factory] = [
        .coinGecko: { configuration, transport in
            .success(CoinGeckoProvider(baseURL: configuration.settings(for: .coinGecko).baseURL,
                                       key: configuration.coinGeckoKey, transport: transport))
        },
        .coinMarketCap: { configuration, transport in
            guard let key = configuration.coinMarketCapKey else {
                return .failure(CollectorError(provider: .coinMarketCap, code: .disabled,
                                               "CMC_API_KEY is not set; CoinMarketCap collection is disabled"))
            }
            return .success(CoinMarketCapProvider(baseURL: configuration.settings(for: .coinMarketCap).baseURL,
                                                  apiKey: key, transport: transport))
        },
        .binance: { configuration, transport in
            .success(BinanceProvider(baseURL: configuration.settings(for: .binance).baseURL, transport: transport))
        },
        .coinbase: { configuration, transport in
            .success(CoinbaseProvider(baseURL: configuration.settings(for: .coinbase).baseURL, transport: transport))
        },
        .kraken: { configuration, transport in
            .success(KrakenProvider(baseURL: configuration.settings(for: .kraken).baseURL, transport: transport))
        },
    ]

    /// Every registered provider id, sorted.
    public static var registeredIDs: [ProviderID] { factories.keys.sorted() }

    /// A transport for `provider` configured from `configuration`.
    public static func transport(
        for provider: ProviderID, configuration: CollectorConfiguration, httpClient: HTTPClient,
        health: ProviderHealthBoard, logger: Logger
    ) -> ProviderTransport {
        let settings = configuration.settings(for: provider)
        return ProviderTransport(
            provider: provider, client: httpClient,
            limiter: RateLimiter(limit: settings.rateLimit, slack: settings.rateLimitSlack),
            retry: settings.retry, timeout: settings.requestTimeout, defaultBackoff: settings.defaultBackoff,
            maxBodyBytes: configuration.maxBodyBytes, health: health, logger: logger)
    }

    /// Builds a stream adapter from its settings, or explains why it cannot run.
    public typealias StreamFactory = @Sendable (StreamSettings) -> Result<any MarketStreamProvider, CollectorError>

    /// Venues with WebSocket market streams; the others are polled only.
    public static let streamFactories: [ProviderID: StreamFactory] = [
        .binance: { settings in
            .success(BinanceStreamProvider(baseURL: settings.baseURL, maxStreamsPerConnection: settings.maxStreamsPerConnection))
        },
        .kraken: { settings in
            .success(KrakenStreamProvider(baseURL: settings.baseURL))
        },
        .coinbase: { settings in
            .success(CoinbaseStreamProvider(baseURL: settings.baseURL, tradeSymbols: settings.tradeSymbols))
        },
    ]

    /// The REST source that fills holes in `provider`'s streamed trade ids, if it has one.
    public static func makeTradeRepair(_ provider: ProviderID, configuration: CollectorConfiguration,
                                       transport: ProviderTransport) -> (any TradeGapRepair)? {
        switch provider {
        case .binance: BinanceRecentTrades(baseURL: configuration.settings(for: .binance).baseURL, transport: transport)
        case .coinbase: CoinbaseRecentTrades(baseURL: configuration.settings(for: .coinbase).baseURL, transport: transport)
        default: nil
        }
    }

    /// Every provider id with a stream adapter, sorted.
    public static var registeredStreamIDs: [ProviderID] { streamFactories.keys.sorted() }

    /// Builds the stream adapter for `provider`; a venue without streams is an error, not a crash.
    public static func makeStream(_ provider: ProviderID, settings: StreamSettings) -> Result<any MarketStreamProvider, CollectorError> {
        guard let factory = streamFactories[provider] else {
            return .failure(CollectorError(provider: provider, code: .disabled,
                                           "no stream adapter (streams: \(registeredStreamIDs.map(\.rawValue).joined(separator: ", ")))"))
        }
        return factory(settings)
    }

    /// Builds the adapter for `provider`; unknown ids and missing keys are errors, not crashes.
    public static func make(
        _ provider: ProviderID, configuration: CollectorConfiguration, transport: ProviderTransport
    ) -> Result<any MarketDataProvider, CollectorError> {
        guard let factory = factories[provider] else {
            return .failure(CollectorError(provider: provider, code: .disabled,
                                           "unknown provider (registered: \(registeredIDs.map(\.rawValue).joined(separator: ", ")))"))
        }
        return factory(configuration, transport)
    }
}
