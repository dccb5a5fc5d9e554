import ArgumentParser
import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import MarketSimulator
import Metrics
import Pipeline
import Prometheus
import Server
import ServiceLifecycle

/// `cryptoviz up`: the whole pipeline in one process — collectors, bus, stream processor,
/// hot tail and server. Ctrl-C stops the collectors first, then drains, commits and exits.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run collectors, processor, lake and dashboard in one process.")

    @OptionGroup var options: RuntimeOptions

    @Flag(help: "Collect from an in-process market simulator instead of the public APIs.")
    var demo = false

    @Option(name: .customLong("demo-assets"), help: "Assets in the simulated market (with --demo).")
    var demoAssets = 150

    @Option(name: .customLong("events"),
            help: "With --demo: a JSON file of scripted market events (jump, drift, silence, diverge) at seconds after start.")
    var eventsFile: String?

    @Option(name: .customLong("demo-speed"),
            help: "With --demo: simulated seconds per wall-clock second. 1 (default) follows the demo's minute-by-minute history path; more makes a fast, noisy market (second-by-second random moves, for alert drills).")
    var demoSpeed = 1.0

    func validate() throws {
        guard demoSpeed.isFinite, demoSpeed > 0, demoSpeed <= 3600 else {
            throw ValidationError("--demo-speed must be a number above 0 and at most 3600 (simulated seconds per second)")
        }
        if demoSpeed != 1 && !demo { throw ValidationError("--demo-speed sets the pace of the demo's simulated market: it needs --demo") }
    }

    func run() async throws {
        options.bootstrapLogging()
        var settings = try options.resolve()
        var events = MarketEventScript.none
        if let eventsFile {
            guard demo else { throw ValidationError("--events scripts the demo's simulated market: it needs --demo") }
            do { events = try MarketEventScript(contentsOfFile: eventsFile) } catch { throw ValidationError("--events \(error.message)") }
        }
        if demo && settings.intervalSeconds == nil {
            settings.intervalSeconds = 2  // the simulator has no rate budget to respect
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "cryptoviz.up")
        logger.info("effective configuration\n\(settings.describe())")

        let runtime = try await PipelineRuntime.start(settings: settings, roles: [.collect, .process, .serve],
                                                      demoAssets: demo ? demoAssets : nil, demoEvents: events, demoSpeed: demoSpeed, registry: registry,
                                                      logger: logger)
        try await runtime.run()
    }
}
