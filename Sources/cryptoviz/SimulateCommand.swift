import ArgumentParser
import Foundation
import Logging
import MarketSimulator

/// `cryptoviz simulate`: serves a simulated market in the CoinGecko, CoinMarketCap, Binance,
/// Coinbase Exchange and Kraken API shapes, for demos, load tests and fault drills.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated market speaking the CoinGecko, CoinMarketCap, Binance, Coinbase and Kraken APIs.",
        discussion: """
            Fault SPEC: RULE[,RULE...], RULE = PROVIDER:FAULT TRIGGER where PROVIDER is coingecko,
            coinmarketcap (or cmc), binance, coinbase, kraken or *; FAULT is 429, 5xx, slow, malformed, truncated,
            missing, 418, 451 or stale (the last answer to the same request again, as from a cache); TRIGGER is @P (probability 0-1 per request), #N (the first N
            requests) or ~A-B (requests arriving A to B seconds after start).
            Example: --faults coingecko:429@0.2,binance:slow#3,cmc:malformed~10-20
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8089

    @Option(help: "Interface to bind.")
    var host = "127.0.0.1"

    @Option(help: "Number of simulated assets.")
    var assets = 300

    @Option(help: "Injected faults (see SPEC above).")
    var faults = ""

    @Option(help: "Random seed of the market.")
    var seed: UInt64 = 42

    @Option(name: .customLong("time-scale"), help: "Simulated seconds per wall-clock second.")
    var timeScale = 1.0

    @Option(name: .customLong("slow-seconds"), help: "How long a 'slow' fault holds a response.")
    var slowSeconds = 30.0

    @Option(name: .customLong("binance-weight-limit"),
            help: "Binance request weight per minute before 429 (the real API's 6000 by default; benchmarks raise it).")
    var binanceWeightLimit = 6000

    @Option(name: .customLong("binance-weight-window"),
            help: "Seconds of Binance's weight window (60 as on the real API; tests shorten it to prove compliance quickly).")
    var binanceWeightWindow = 60.0

    @Option(name: .customLong("coingecko-limit"), help: "CoinGecko calls per minute before 429.")
    var coinGeckoLimit = 30

    @Option(name: .customLong("history-days"), help: "Days of history every pair has before the simulator started (its listing).")
    var historyDays = 400

    @Option(name: .customLong("listing"), parsing: .upToNextOption,
            help: "Listing time of a coin, as COINGECKO_ID=ISO8601 (no history before it); repeatable.")
    var listings: [String] = []

    @Option(name: .customLong("outage"), parsing: .upToNextOption,
            help: "A venue outage as ISO8601/ISO8601 (no klines inside it); repeatable.")
    var outages: [String] = []

    @Option(name: .customLong("events"),
            help: "A JSON file of scripted market events (jump, drift, silence, diverge) at seconds after start.")
    var eventsFile: String?

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "cryptoviz.simulator")
        var configuration = SimulatorConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.assetCount = assets
        configuration.seed = seed
        configuration.timeScale = timeScale
        configuration.slowDelaySeconds = slowSeconds
        configuration.faults = try FaultPlan(spec: faults)
        if let eventsFile {
            do { configuration.events = try MarketEventScript(contentsOfFile: eventsFile) } catch {
                throw ValidationError("--events \(error.message)")
            }
        }
        configuration.rateLimits["binance"] = .init(capacity: binanceWeightLimit, windowSeconds: binanceWeightWindow)
        configuration.rateLimits["coingecko"] = .init(capacity: coinGeckoLimit, windowSeconds: 60)
        configuration.history.defaultDays = historyDays
        for listing in listings {
            let parts = listing.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let millis = Self.isoMillis(parts[1]) else {
                throw ValidationError("--listing '\(listing)': expected COINGECKO_ID=2024-01-31T00:00:00Z")
            }
            configuration.history.listings[parts[0]] = millis
        }
        for outage in outages {
            let parts = outage.split(separator: "/").map(String.init)
            guard parts.count == 2, let from = Self.isoMillis(parts[0]), let to = Self.isoMillis(parts[1]), from < to else {
                throw ValidationError("--outage '\(outage)': expected FROM/TO as ISO 8601 times, FROM before TO")
            }
            configuration.history.outages.append(from..<to)
        }
        let simulator = try await MarketSimulator.start(configuration: configuration, logger: logger)
        logger.info("simulated market listening", metadata: [
            "port": "\(simulator.port)", "assets": "\(assets)",
            "coingecko_url": "\(simulator.endpoints.coinGecko)",
            "cmc_url": "\(simulator.endpoints.coinMarketCap)",
            "binance_url": "\(simulator.endpoints.binance)",
            "coinbase_url": "\(simulator.endpoints.coinbase)",
            "kraken_url": "\(simulator.endpoints.kraken)",
            "binance_ws_url": "\(simulator.endpoints.binanceStreams)",
            "kraken_ws_url": "\(simulator.endpoints.krakenStreams)",
            "coinbase_ws_url": "\(simulator.endpoints.coinbaseStreams)",
            "stats_url": "\(simulator.endpoints.stats)",
        ])
        await simulator.wait()
    }

    static func isoMillis(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
