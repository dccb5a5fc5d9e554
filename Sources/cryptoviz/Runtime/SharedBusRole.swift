import ArgumentParser
import Logging
import Metrics
import Prometheus

/// Runs one distributed role (`process`, `serve`) over a shared bus: both need the same
/// settings, metrics bootstrap and refusal of the in-process bus. `serve --bus none` is the
/// one role without a bus: a read-only server over a lake.
enum SharedBusRole {
    static func run(_ role: PipelineRuntime.Role, options: RuntimeOptions, command: String) async throws {
        options.bootstrapLogging()
        let settings = try options.resolve()
        guard settings.bus != "memory" else {
            let serveHint = role == .serve ? ", or --bus none for a read-only server over the lake" : ""
            throw ValidationError("\(command) needs a shared bus: --bus kafka://host:port\(serveHint) (or run `up` for everything in one process)")
        }
        guard settings.bus != "none" || role == .serve else {
            throw ValidationError("\(command) needs a bus: --bus kafka://host:port (only serve runs without one)")
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
