import ArgumentParser
import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Foundation
import Logging
import Pipeline
import Prometheus

/// `cryptoviz collect`: polls the market-data providers and prints normalized ticks as JSON lines.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect market data and write normalized ticks as JSON lines (logs on stderr).",
        discussion: """
            Keys come from the environment: CMC_API_KEY (CoinMarketCap is disabled without it),
            COINGECKO_DEMO_API_KEY or COINGECKO_PRO_API_KEY (optional).
            """)

    @Option(help: "Comma-separated providers to poll (coingecko, coinmarketcap, binance, coinbase, kraken).")
    var providers = "coingecko,coinmarketcap,binance,coinbase,kraken"

    @Option(help: "Poll interval in seconds for every provider (default: 30 s; CoinMarketCap 300 s).")
    var interval: Double?

    @Flag(help: "Poll each provider once and exit.")
    var once = false

    @Option(help: "Write ticks to this file instead of stdout.")
    var output: String?

    @Option(name: .customLong("coingecko-url"), help: "CoinGecko base URL (including /api/v3).")
    var coinGeckoURL: String?

    @Option(name: .customLong("cmc-url"), help: "CoinMarketCap base URL.")
    var cmcURL: String?

    @Option(name: .customLong("binance-url"), help: "Binance base URL.")
    var binanceURL: String?

    @Option(name: .customLong("coinbase-url"), help: "Coinbase Exchange base URL (default https://api.exchange.coinbase.com).")
    var coinbaseURL: String?

    @Option(name: .customLong("kraken-url"), help: "Kraken base URL (default https://api.kraken.com).")
    var krakenURL: String?

    @Option(help: "Comma-separated venues to collect over WebSocket streams as well (binance, coinbase, kraken). Their tickers go out like polled ticks; trades and 1-minute candles go to --stream-events.")
    var streams = ""

    @Option(name: .customLong("binance-ws-url"), help: "Binance stream base URL (default wss://stream.binance.com:9443).")
    var binanceWSURL: String?

    @Option(name: .customLong("kraken-ws-url"), help: "Kraken WebSocket v2 URL (default wss://ws.kraken.com/v2).")
    var krakenWSURL: String?

    @Option(name: .customLong("coinbase-ws-url"), help: "Coinbase Exchange feed URL (default wss://ws-feed.exchange.coinbase.com).")
    var coinbaseWSURL: String?

    @Option(name: .customLong("stream-trades"), help: "Comma-separated base tickers whose trades (Binance, Coinbase) and 1-minute klines (Binance) are streamed (default BTC,ETH).")
    var streamTrades: String?

    @Option(name: .customLong("stream-watchdog"), help: "Seconds without any stream frame before a connection is replaced (default 10).")
    var streamWatchdog: Double?

    @Option(name: .customLong("stream-events"), help: "Write streamed trades and candles as JSON lines to this file.")
    var streamEvents: String?

    @Option(help: "Watch the top N assets by market cap.")
    var assets = 100

    @Option(help: "Also watch these canonical ids (comma-separated CoinGecko ids).")
    var watch: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Publish to this bus (kafka://host:port) instead of writing JSON lines.")
    var bus: String?

    @Option(help: "Directory for the spill file used while the bus is unreachable.")
    var data = "./cryptoviz-data"

    func validate() throws {
        if let interval, !(interval > 0) { throw ValidationError("--interval must be positive") }
        if assets < 0 { throw ValidationError("--assets must not be negative") }
        if let streamWatchdog, !(streamWatchdog > 0) { throw ValidationError("--stream-watchdog must be positive") }
        for venue in streamVenues where ProviderRegistry.streamFactories[venue] == nil {
            throw ValidationError("--streams: \(venue) has no stream adapter (available: \(ProviderRegistry.registeredStreamIDs.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    private var streamVenues: [ProviderID] {
        streams.split(separator: ",").map { ProviderID(String($0).trimmingCharacters(in: .whitespaces)) }.filter { !$0.rawValue.isEmpty }
    }

    /// The stream flags applied to `configuration` (both the JSON-lines and the bus paths).
    private func applyStreamOptions(_ configuration: inout CollectorConfiguration) {
        configuration.streamProviders = streamVenues
        var binance = configuration.streamSettings(for: .binance)
        if let binanceWSURL { binance.baseURL = binanceWSURL }
        if let streamTrades {
            let symbols = streamTrades.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
            binance.tradeSymbols = symbols
            binance.klineSymbols = symbols
        }
        if let streamWatchdog { binance.watchdog = .milliseconds(Int64(streamWatchdog * 1000)) }
        configuration.streams[.binance] = binance
        var kraken = configuration.streamSettings(for: .kraken)
        if let krakenWSURL { kraken.baseURL = krakenWSURL }
        if let streamWatchdog { kraken.watchdog = .milliseconds(Int64(streamWatchdog * 1000)) }
        configuration.streams[.kraken] = kraken
        var coinbase = configuration.streamSettings(for: .coinbase)
        if let coinbaseWSURL { coinbase.baseURL = coinbaseWSURL }
        if let streamTrades {
            coinbase.tradeSymbols = streamTrades.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        }
        if let streamWatchdog { coinbase.watchdog = .milliseconds(Int64(streamWatchdog * 1000)) }
        configuration.streams[.coinbase] = coinbase
    }

    func run() async throws {
        CommandLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "cryptoviz.collectors")
        var configuration = CollectorConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        configuration.enabledProviders = providers.split(separator: ",").map { ProviderID(String($0).trimmingCharacters(in: .whitespaces)) }
        configuration.topN = assets
        configuration.watch = (watch ?? "").split(separator: ",").map { AssetID(String($0).trimmingCharacters(in: .whitespaces)) }
        if let interval { configuration.setInterval(.milliseconds(Int64(interval * 1000))) }
        if let coinGeckoURL { configuration.providers[.coinGecko]?.baseURL = coinGeckoURL }
        if let cmcURL { configuration.providers[.coinMarketCap]?.baseURL = cmcURL }
        if let binanceURL { configuration.providers[.binance]?.baseURL = binanceURL }
        if let coinbaseURL { configuration.providers[.coinbase]?.baseURL = coinbaseURL }
        if let krakenURL { configuration.providers[.kraken]?.baseURL = krakenURL }
        configuration.directoryFile = URL(fileURLWithPath: data).appendingPathComponent("asset-directory.json")
        applyStreamOptions(&configuration)

        if let bus {
            var settings = RuntimeSettings()
            try settings.apply(environment: ProcessInfo.processInfo.environment)
            settings.bus = bus
            settings.dataDirectory = data
            settings.assets = assets
            settings.providers = providers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if let interval { settings.intervalSeconds = interval }
            try settings.validate()
            let runtime = try await PipelineRuntime.start(
                settings: settings, roles: [.collect], demoAssets: nil, registry: PrometheusCollectorRegistry(), logger: logger,
                collectOnce: once, collectorOverrides: { configuration in
                    if let coinGeckoURL { configuration.providers[.coinGecko]?.baseURL = coinGeckoURL }
                    if let cmcURL { configuration.providers[.coinMarketCap]?.baseURL = cmcURL }
                    if let binanceURL { configuration.providers[.binance]?.baseURL = binanceURL }
                    if let coinbaseURL { configuration.providers[.coinbase]?.baseURL = coinbaseURL }
                    if let krakenURL { configuration.providers[.kraken]?.baseURL = krakenURL }
                    applyStreamOptions(&configuration)
                })
            try await runtime.run()
            return
        }
        let writer = try output.map { try JSONLinesTickWriter(path: $0) } ?? JSONLinesTickWriter()
        let service = CollectorService(configuration: configuration, httpClient: HTTPClient.shared, logger: logger)
        if once {
            let reports = try await service.collectOnce { try await writer.write($0) }
            for report in reports.sorted(by: { $0.provider < $1.provider }) {
                logger.info("collected", metadata: [
                    "provider": "\(report.provider)", "ticks": "\(report.tickCount)",
                    "rejected": "\(report.rejected.values.reduce(0, +))",
                    "unresolved": "\(report.unresolved.values.reduce(0, +))",
                    "error": "\(report.error.map { $0.code.rawValue } ?? "none")",
                ])
            }
        } else {
            let eventWriter = try streamEvents.map { try StreamEventWriter(path: $0) }
            var events: (@Sendable ([StreamEvent]) async throws -> Void)?
            if let eventWriter {
                events = { try await eventWriter.write($0) }
            }
            try await service.run(sink: { try await writer.write($0) }, events: events)
            try await eventWriter?.close()
        }
        try await writer.close()
    }
}
