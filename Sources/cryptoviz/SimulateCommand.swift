import ArgumentParser
import Foundation
import Logging
import MarketSimulator

/// `cryptoviz simulate`: serves a simulated market in the CoinGecko, CoinMarketCap and Binance
/// API shapes, for demos, load tests and fault drills.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated market speaking the CoinGecko, CoinMarketCap and Binance APIs.",
        discussion: """
            Fault SPEC: RULE[,RULE...], RULE = PROVIDER:FAULT TRIGGER where PROVIDER is coingecko,
            coinmarketcap (or cmc), binance or *; FAULT is 429, 5xx, slow, malformed, truncated,
            missing, 418 or 451; TRIGGER is @P (probability 0-1 per request), #N (the first N
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
        let simulator = try await MarketSimulator.start(configuration: configuration, logger: logger)
        logger.info("simulated market listening", metadata: [
            "port": "\(simulator.port)", "assets": "\(assets)",
            "coingecko_url": "\(simulator.endpoints.coinGecko)",
            "cmc_url": "\(simulator.endpoints.coinMarketCap)",
            "binance_url": "\(simulator.endpoints.binance)",
            "stats_url": "\(simulator.endpoints.stats)",
        ])
        await simulator.wait()
    }
}
