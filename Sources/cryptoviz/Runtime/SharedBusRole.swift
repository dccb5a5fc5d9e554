import ArgumentParser
import Logging
import Metrics
import Prometheus

/// Runs one distributed role (`process`, `serve`) over a shared bus: both need the same
/// settings, metrics bootstrap and refusal of the in-process bus.
enum SharedBusRole {
    static func run(_ role: PipelineRuntime.Role, options: RuntimeOptions, command: String) async throws {
        options.bootstrapLogging()
        let settings = try options.resolve()
        guard settings.bus != "memory" else {
            throw ValidationError("\(command) needs a shared bus: --bus kafka://host:port (or run `up` for everything in one process)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "cryptoviz.\(command)")
        logger.info("effective configuration\n\(settings.describe())")
        let runtime = try await PipelineRuntime.start(settings: settings, roles: [role], demoAssets: nil,
                                                      registry: registry, logger: logger)
        try await runtime.run()
    }
}
