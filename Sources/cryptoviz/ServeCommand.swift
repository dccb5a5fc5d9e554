import ArgumentParser
import Logging
import Metrics
import Prometheus

/// `cryptoviz serve`: the dashboard and REST API over a shared bus (live tail) and lake.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard and REST API from a Kafka bus and a lake.")

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        options.bootstrapLogging()
        let settings = try options.resolve()
        guard settings.bus != "memory" else {
            throw ValidationError("serve needs a shared bus: --bus kafka://host:port (or run `up` for everything in one process)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "cryptoviz.serve")
        logger.info("effective configuration\n\(settings.describe())")
        let runtime = try await PipelineRuntime.start(settings: settings, roles: [.serve], demoAssets: nil,
                                                      registry: registry, logger: logger)
        try await runtime.run()
    }
}
