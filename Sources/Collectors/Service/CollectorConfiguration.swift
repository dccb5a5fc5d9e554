import CryptoVizCore
import Foundation

/// Everything the collectors need: which providers, how to reach and pace them, what to watch.
public struct CollectorConfiguration: Sendable {
    /// Providers to poll, by id (must be registered in `ProviderRegistry`). Every registered
    /// one by default: Coinbase and Kraken are keyless public APIs like Binance.
    public var enabledProviders: [ProviderID] = [.coinGecko, .coinMarketCap, .binance, .coinbase, .kraken]
    /// Per-provider settings; missing entries fall back to the registry's defaults.
    public var providers: [ProviderID: ProviderSettings] = [
        .coinGecko: .coinGecko, .coinMarketCap: .coinMarketCap, .binance: .binance, .coinbase: .coinbase, .kraken: .kraken,
    ]
    /// Venues collected over their WebSocket streams (must be in `ProviderRegistry.streamFactories`),
    /// beside or instead of polling them; none by default.
    public var streamProviders: [ProviderID] = []
    /// Poll a streamed venue even while its stream delivers. Off by default: a venue is polled
    /// only while its stream is not open or silent for two watchdog periods (at start, during
    /// reconnects, when the stream is unavailable), so each venue is read on its best transport.
    public var pollStreamedVenues = false
    /// Per-venue stream settings; missing entries fall back to the venue's defaults.
    public var streams: [ProviderID: StreamSettings] = [.binance: .binance, .kraken: .kraken, .coinbase: .coinbase]
    /// The watch list: the top `topN` assets by market cap ...
    public var topN: Int = 100
    /// ... plus these, whatever their rank.
    public var watch: [AssetID] = []
    /// Listings fetched for identity resolution (ambiguous tickers need more than the top N).
    public var directoryDepth: Int = 250
    /// How often the directory is refreshed when CoinGecko itself is not polled for ticks.
    public var directoryRefreshInterval: Duration = .seconds(3600)
    /// Where the asset directory is kept between runs (under `--data`), so identities resolve
    /// from the first poll even while CoinGecko is unreachable; nil keeps it in memory only.
    public var directoryFile: URL?
    /// Optional CoinGecko key (Demo or Pro); Pro also moves the default base URL.
    public var coinGeckoKey: CoinGeckoProvider.Key?
    /// CoinMarketCap key; without it the provider is disabled.
    public var coinMarketCapKey: String?
    public var validator: TickValidator.Configuration = .init()
    public var maxBodyBytes: Int = 32 << 20

    public init() {}

    /// The defaults plus keys from the environment: `COINGECKO_PRO_API_KEY` (wins),
    /// `COINGECKO_DEMO_API_KEY`, `CMC_API_KEY`. Empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String]) -> CollectorConfiguration {
        var configuration = CollectorConfiguration()
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if let pro = value("COINGECKO_PRO_API_KEY") {
            configuration.coinGeckoKey = .pro(pro)
            configuration.providers[.coinGecko]?.baseURL = CoinGeckoProvider.proBaseURL
            configuration.providers[.coinGecko]?.rateLimit = RateLimit(capacity: 500, per: .seconds(60))
        } else if let demo = value("COINGECKO_DEMO_API_KEY") {
            configuration.coinGeckoKey = .demo(demo)
            configuration.providers[.coinGecko]?.rateLimit = .coinGeckoDemo
        }
        configuration.coinMarketCapKey = value("CMC_API_KEY")
        return configuration
    }

    /// Settings for `provider`, falling back to the built-in defaults.
    public func settings(for provider: ProviderID) -> ProviderSettings {
        if let settings = providers[provider] { return settings }
        switch provider {
        case .coinMarketCap: return .coinMarketCap
        case .binance: return .binance
        case .coinbase: return .coinbase
        case .kraken: return .kraken
        default: return .coinGecko
        }
    }

    /// Stream settings for `provider`, falling back to the built-in defaults.
    public func streamSettings(for provider: ProviderID) -> StreamSettings {
        if let settings = streams[provider] { return settings }
        switch provider {
        case .binance: return .binance
        case .kraken: return .kraken
        case .coinbase: return .coinbase
        default: return StreamSettings(baseURL: "")
        }
    }

    /// Sets one interval for every provider (the `--interval` flag).
    public mutating func setInterval(_ interval: Duration) {
        for key in providers.keys { providers[key]?.interval = interval }
    }
}
