import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import MarketSimulator
import Pipeline
import Prometheus
import Server
import ServiceLifecycle

/// Assembles the stages a role needs and runs them as one `ServiceGroup`.
///
/// The same code serves `up` (every role, in-process bus) and the distributed roles
/// (`collect --bus kafka://…`, `process`, `serve`): only the bus and the role set differ.
struct PipelineRuntime {
    enum Role: Hashable { case collect, process, serve }

    var services: [any Service]
    var logger: Logger
    var cleanup: @Sendable () async -> Void

    static func start(settings: RuntimeSettings, roles: Set<Role>, demoAssets: Int?,
                      registry: PrometheusCollectorRegistry, logger: Logger,
                      collectorOverrides: (inout CollectorConfiguration) -> Void = { _ in }) async throws -> PipelineRuntime {
        do {
            return try await assemble(settings: settings, roles: roles, demoAssets: demoAssets, registry: registry,
                                      logger: logger, collectorOverrides: collectorOverrides)
        } catch let error as LakehouseError where error.code == .corruptDataFile {
            // Start-up scans the lake (dedupe seed, hot tail): say how out of a damaged file.
            throw LakehouseError(.corruptDataFile, error.message
                + "; `cryptoviz lake check` lists the damaged files, `cryptoviz lake repair --quarantine` removes them")
        }
    }

    private static func assemble(settings: RuntimeSettings, roles: Set<Role>, demoAssets: Int?,
                                 registry: PrometheusCollectorRegistry, logger: Logger,
                                 collectorOverrides: (inout CollectorConfiguration) -> Void) async throws -> PipelineRuntime {
        if roles.contains(.serve) { try ListenAddressCheck.ensureAvailable(host: settings.host, port: settings.port) }
        let dataURL = URL(fileURLWithPath: settings.dataDirectory).standardizedFileURL
        try FileManager.default.createDirectory(at: dataURL, withIntermediateDirectories: true)
        let needsLake = roles.contains(.process) || roles.contains(.serve)
        let lake = needsLake ? try await OpenedLake.open(settings.effectiveLake, logger: Logger(label: "cryptoviz.lakehouse")) : nil

        // The bus. In-process offsets continue from the lake's txn versions, so a restarted
        // `up` numbers new messages after the ones its lake already holds.
        let bus: any Bus
        if settings.bus == "memory" {
            var configuration = InProcessBus.Configuration()
            if let table = lake?.table {
                for p in 0..<BusTopics.defaultPartitions {
                    let partition = BusPartition(topic: BusTopics.rawData, partition: Int32(p))
                    if let version = try await table.transactionVersion(appId: StreamProcessor.appID(group: settings.group, partition: partition)) {
                        configuration.startOffsets[partition] = version + 1
                    }
                }
            }
            bus = InProcessBus(configuration: configuration)
        } else {
            var configuration = KafkaBus.Configuration(bootstrapServers: try settings.kafkaBootstrapServers())
            configuration.deliveryTimeout = .milliseconds(Int64(settings.deliveryTimeoutSeconds * 1000))
            bus = try KafkaBus(configuration: configuration, logger: Logger(label: "cryptoviz.bus"))
        }
        try await bus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: BusTopics.defaultPartitions)

        let deadLetters = DeadLetterQueue(fileURL: dataURL.appendingPathComponent("dead-letters.jsonl"),
                                          logger: Logger(label: "cryptoviz.pipeline"))
        let tail = HotTail()
        var services: [any Service] = []
        var processor: StreamProcessor?
        var publisher: TickPublisher?
        var collectors: CollectorService?
        var simulator: MarketSimulator?

        if roles.contains(.serve), let lake {
            let seeded = try await LakeMarketData.seedTail(tail, from: lake.table, window: tail.configuration.window)
            logger.info("hot tail seeded from the lake", metadata: ["ticks": "\(seeded)"])
        }
        if roles.contains(.process), let lake {
            var configuration = StreamProcessor.Configuration()
            configuration.group = settings.group
            // A remote lake can be unreachable: commits then go to a local fallback table.
            let writer: any LakeWriter
            if lake.localDirectory == nil {
                let group = settings.group
                writer = try await FailoverLake(
                    main: lake.table, fallbackDirectory: dataURL.appendingPathComponent("fallback-lake"),
                    appID: { StreamProcessor.appID(group: group, partition: $0) }, logger: Logger(label: "cryptoviz.processor"))
            } else {
                writer = lake.table
            }
            let p = StreamProcessor(bus: bus, lake: writer, configuration: configuration, deadLetters: deadLetters,
                                    logger: Logger(label: "cryptoviz.processor"))
            await p.seedDeduplication(with: tail.ticks(allSince: .min).map(\.eventID))
            processor = p
        }
        if roles.contains(.collect) {
            var collectorConfiguration = CollectorConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            collectorConfiguration.topN = settings.assets
            if !settings.providers.isEmpty { collectorConfiguration.enabledProviders = settings.providers.map { ProviderID($0) } }
            if let seconds = settings.intervalSeconds { collectorConfiguration.setInterval(.milliseconds(Int64(seconds * 1000))) }
            collectorOverrides(&collectorConfiguration)
            if let demoAssets {
                var simulatorConfiguration = SimulatorConfiguration()
                simulatorConfiguration.assetCount = demoAssets
                simulatorConfiguration.seed = UInt64(currentUnixMillis() / 1000)
                let sim = try await MarketSimulator.start(configuration: simulatorConfiguration,
                                                          logger: Logger(label: "cryptoviz.simulator"))
                collectorConfiguration.providers[.coinGecko]?.baseURL = sim.endpoints.coinGecko
                collectorConfiguration.providers[.coinMarketCap]?.baseURL = sim.endpoints.coinMarketCap
                collectorConfiguration.providers[.binance]?.baseURL = sim.endpoints.binance
                if collectorConfiguration.coinMarketCapKey == nil { collectorConfiguration.coinMarketCapKey = "demo-key" }
                simulator = sim
                logger.info("demo market simulator started", metadata: ["port": "\(sim.port)", "assets": "\(demoAssets)"])
            }
            var publisherConfiguration = TickPublisher.Configuration()
            publisherConfiguration.spillFile = dataURL.appendingPathComponent("spill/ticks.jsonl")
            publisherConfiguration.maxBufferedTicks = settings.publishBufferTicks
            let pub = try TickPublisher(bus: bus, configuration: publisherConfiguration, logger: Logger(label: "cryptoviz.bus"))
            publisher = pub
            collectors = CollectorService(configuration: collectorConfiguration, httpClient: HTTPClient.shared,
                                          logger: Logger(label: "cryptoviz.collectors"))
        }

        // Shutdown runs in reverse order of this list: collectors, publisher, processor, tail, server.
        if roles.contains(.serve), let lake {
            let report = PipelineStatsReport(processor: processor, publisher: publisher, collectors: collectors, bus: bus, tail: tail)
            var dataConfiguration = LakeMarketData.Configuration(location: lake.location)
            dataConfiguration.localDirectory = lake.localDirectory
            dataConfiguration.duckdb = DuckDBEngine.locate().map { DuckDBEngine(executable: $0) }
            if dataConfiguration.duckdb == nil {
                logger.warning("DuckDB CLI not found: the SQL explorer is off (scripts/up.sh installs it; or set CRYPTOVIZ_DUCKDB)")
            }
            let data = LakeMarketData(table: lake.table, store: lake.store, tail: tail, configuration: dataConfiguration,
                                      stats: { await report.snapshot() }, logger: Logger(label: "cryptoviz.server"))
            let (serverConfiguration, generated) = ServerConfiguration(host: settings.host, port: settings.port, token: settings.token)
                .withGeneratedTokenIfNeeded()
            if let generated {
                print("Management and SQL token (bearer): \(generated)")
            }
            let server = try CryptoVizServer(configuration: serverConfiguration, data: data, registry: registry,
                                             logger: Logger(label: "cryptoviz.server"))
            let host = settings.host
            services.append(server.makeApplication(onRunning: { port in
                print("CryptoViz is serving on http://\(host):\(port)")
            }))
            let tailGroup = "cryptoviz-tail-\(UUID().uuidString.prefix(8))"
            services.append(PipelineService("hot tail") {
                try await tail.follow(bus: bus, group: tailGroup, deadLetters: deadLetters, logger: Logger(label: "cryptoviz.tail"))
            })
        }
        if let processor {
            services.append(PipelineService("stream processor") { try await processor.run() })
        }
        if let publisher {
            services.append(PipelineService("publisher") { await publisher.run() })
        }
        if let collectors, let publisher {
            services.append(PipelineService("collectors") {
                try await collectors.run { ticks in await publisher.enqueue(ticks) }
            })
        }
        let finalSimulator = simulator
        return PipelineRuntime(services: services, logger: logger, cleanup: {
            await finalSimulator?.stop()
            if let kafka = bus as? KafkaBus { await kafka.close() }
        })
    }

    func run() async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
        logger.info("stopped cleanly")
    }
}
