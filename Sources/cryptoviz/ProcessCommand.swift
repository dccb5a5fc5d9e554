import ArgumentParser
import Logging
import Metrics
import Prometheus

/// `cryptoviz process`: a stream processor, one member of the consumer group that turns
/// `crypto-raw-data` into lake commits. Run several against one Kafka bus to scale out.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Consume crypto-raw-data and commit it to the lake exactly once.")

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        options.bootstrapLogging()
        let settings = try options.resolve()
        guard settings.bus != "memory" else {
            throw ValidationError("process needs a shared bus: --bus kafka://host:port (the in-process bus lives inside `up`)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "cryptoviz.process")
        logger.info("effective configuration\n\(settings.describe())")
        let runtime = try await PipelineRuntime.start(settings: settings, roles: [.process], demoAssets: nil,
                                                      registry: registry, logger: logger)
        try await runtime.run()
    }
}
