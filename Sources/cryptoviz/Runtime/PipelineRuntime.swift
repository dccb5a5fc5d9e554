import Alerts
import ArgumentParser
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
import UnixSignals

/// Assembles the stages a role needs and runs them as one `ServiceGroup`.
///
/// The same code serves `up` (every role, in-process bus) and the distributed roles
/// (`collect --bus kafka://…`, `process`, `serve`): only the bus and the role set differ.
struct PipelineRuntime {
    enum Role: Hashable { case collect, process, serve }

    var services: [ServiceGroupConfiguration.ServiceConfiguration]
    var logger: Logger
    var drain: DrainBudget
    var report: @Sendable () async -> StopReport
    var cleanup: @Sendable () async -> Void

    static func start(settings: RuntimeSettings, roles: Set<Role>, demoAssets: Int?, demoEvents: MarketEventScript = .none,
                      demoSpeed: Double = 1, registry: PrometheusCollectorRegistry, logger: Logger, collectOnce: Bool = false,
                      collectorOverrides: (inout CollectorConfiguration) -> Void = { _ in }) async throws -> PipelineRuntime {
        do {
            return try await assemble(settings: settings, roles: roles, demoAssets: demoAssets, demoEvents: demoEvents,
                                      demoSpeed: demoSpeed, registry: registry,
                                      logger: logger, collectOnce: collectOnce, collectorOverrides: collectorOverrides)
        } catch let error as LakehouseError where error.code == .corruptDataFile {
            // Start-up scans the lake (dedupe seed, hot tail): say how out of a damaged file.
            throw LakehouseError(.corruptDataFile, error.message
                + "; `cryptoviz lake check` lists the damaged files, `cryptoviz lake repair --quarantine` removes them")
        }
    }

    private static func assemble(settings: RuntimeSettings, roles: Set<Role>, demoAssets: Int?, demoEvents: MarketEventScript, demoSpeed: Double,
                                 registry: PrometheusCollectorRegistry, logger: Logger, collectOnce: Bool,
                                 collectorOverrides: (inout CollectorConfiguration) -> Void) async throws -> PipelineRuntime {
        // `--bus none`: a read-only server over an existing lake; every other role needs a bus.
        let noBus = settings.bus == "none"
        if noBus && roles != [.serve] {
            throw ValidationError("--bus none is only for `serve` (a read-only server over a lake); collecting and processing need a bus")
        }
        if roles.contains(.serve) { try ListenAddressCheck.ensureAvailable(host: settings.host, port: settings.port) }
        let dataURL = URL(fileURLWithPath: settings.dataDirectory).standardizedFileURL
        try FileManager.default.createDirectory(at: dataURL, withIntermediateDirectories: true)
        let needsLake = roles.contains(.process) || roles.contains(.serve)
        let lakeLogger = Logger(label: "cryptoviz.lakehouse")
        let lake = !needsLake ? nil : noBus
            ? try await OpenedLake.openForReading(settings.effectiveLake, logger: lakeLogger)
            : try await OpenedLake.open(settings.effectiveLake, logger: lakeLogger)
        let drain = DrainBudget(timeout: .milliseconds(Int64(settings.drainTimeoutSeconds * 1000)))

        // The processor's writer. A remote lake can be unreachable: commits then go to a local
        // fallback table, which also counts for where each stream resumes.
        var writer: (any LakeWriter)?
        if roles.contains(.process), let lake {
            if lake.localDirectory == nil {
                let group = settings.group
                writer = try await FailoverLake(
                    main: lake.table, fallbackDirectory: dataURL.appendingPathComponent("fallback-lake"),
                    appID: { StreamProcessor.appID(group: group, partition: $0) }, logger: Logger(label: "cryptoviz.processor"))
            } else {
                writer = lake.table
            }
        }

        // The streamed trades table (created when missing), written by the processor.
        let tradeTable = writer == nil ? nil : try await lake?.lake.trades()

        // The bus. In-process offsets continue after the txn versions the writer already holds
        // (main table or fallback, and the trades table), so a restarted `up` never numbers a
        // new message at an offset the processor would skip as committed.
        let bus: (any Bus)?
        if noBus {
            bus = nil
        } else if settings.bus == "memory" {
            var configuration = InProcessBus.Configuration()
            if let writer { configuration = try await .continuing(from: writer, trades: tradeTable, group: settings.group) }
            bus = InProcessBus(configuration: configuration)
        } else {
            var configuration = KafkaBus.Configuration(bootstrapServers: try settings.kafkaBootstrapServers())
            configuration.deliveryTimeout = .milliseconds(Int64(settings.deliveryTimeoutSeconds * 1000))
            bus = try KafkaBus(configuration: configuration, logger: Logger(label: "cryptoviz.bus"))
        }
        try await bus?.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: BusTopics.defaultPartitions)
        // One spill file per data directory: the publisher's overflow, and what the processor
        // of the in-process bus could not commit at a stop. The publisher replays it first.
        let spillFile = dataURL.appendingPathComponent("spill/ticks.jsonl")

        let deadLetters = DeadLetterQueue(fileURL: dataURL.appendingPathComponent("dead-letters.jsonl"),
                                          logger: Logger(label: "cryptoviz.pipeline"))
        let tail = HotTail()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var processor: StreamProcessor?
        var publisher: TickPublisher?
        // Streamed trades (live topic) and closed klines (lake topic) beside the ticks.
        var eventPublisher: MarketEventPublisher?
        var collectors: CollectorService?
        var simulator: MarketSimulator?

        if roles.contains(.serve), let lake {
            let seeded = try await LakeMarketData.seedTail(tail, from: lake.table, window: tail.configuration.window)
            logger.info("hot tail seeded from the lake", metadata: ["ticks": "\(seeded)"])
        }
        if let writer, let bus {
            var configuration = StreamProcessor.Configuration()
            configuration.group = settings.group
            configuration.drain = drain
            configuration.stopSpillFile = settings.bus == "memory" ? spillFile : nil
            // Live 1-minute candles into <lake>/candles (created when missing), read back from
            // the main tick table after a crash between the two commits.
            var rollup: LiveRollup?
            if settings.rollups, let lake {
                var rollupConfiguration = LiveRollup.Configuration()
                rollupConfiguration.group = settings.group
                rollup = LiveRollup(candles: try await lake.lake.candles(), ticks: lake.table,
                                    configuration: rollupConfiguration, logger: Logger(label: "cryptoviz.rollup"))
            }
            // The venues' closed klines (candle messages on the lake topic) into <lake>/candles.
            var streamCandles: StreamCandleWriter?
            if let lake {
                streamCandles = StreamCandleWriter(sink: try await lake.lake.candles(), logger: Logger(label: "cryptoviz.processor"))
            }
            // The venues' trades (trade messages on the lake topic) into <lake>/trades, each once.
            var trades: StreamTradeWriter?
            if let tradeTable {
                var tradesConfiguration = StreamTradeWriter.Configuration()
                tradesConfiguration.group = settings.group
                let tradeWriter = StreamTradeWriter(table: tradeTable, configuration: tradesConfiguration,
                                                    logger: Logger(label: "cryptoviz.processor"))
                await tradeWriter.seedIdentities(fromMillis: currentUnixMillis() - 3_600_000)
                trades = tradeWriter
            }
            let p = StreamProcessor(bus: bus, lake: writer, rollup: rollup, streamCandles: streamCandles, trades: trades,
                                    configuration: configuration, deadLetters: deadLetters, logger: Logger(label: "cryptoviz.processor"))
            await p.seedDeduplication(with: tail.ticks(allSince: .min).map(\.eventID))
            processor = p
        }
        if roles.contains(.collect), let bus {
            var collectorConfiguration = CollectorConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            collectorConfiguration.topN = settings.assets
            if !settings.providers.isEmpty { collectorConfiguration.enabledProviders = settings.providers.map { ProviderID($0) } }
            if let seconds = settings.intervalSeconds { collectorConfiguration.setInterval(.milliseconds(Int64(seconds * 1000))) }
            collectorConfiguration.directoryFile = dataURL.appendingPathComponent("asset-directory.json")
            collectorOverrides(&collectorConfiguration)
            // WebSocket streams beside the pollers: what the settings name, else the three venues
            // in the demo (its simulator serves them) and none live.
            let streamVenues = settings.streams ?? (demoAssets != nil ? ["binance", "coinbase", "kraken"] : [])
            for venue in streamVenues where ProviderRegistry.streamFactories[ProviderID(venue)] == nil {
                throw PipelineError("streams: \(venue) has no stream adapter (available: \(ProviderRegistry.registeredStreamIDs.map(\.rawValue).joined(separator: ", ")))")
            }
            collectorConfiguration.streamProviders = streamVenues.map { ProviderID($0) }
            if let demoAssets {
                var simulatorConfiguration = SimulatorConfiguration()
                simulatorConfiguration.assetCount = demoAssets
                simulatorConfiguration.seed = UInt64(currentUnixMillis() / 1000)
                simulatorConfiguration.events = demoEvents
                simulatorConfiguration.timeScale = demoSpeed
                let sim = try await MarketSimulator.start(configuration: simulatorConfiguration,
                                                          logger: Logger(label: "cryptoviz.simulator"))
                collectorConfiguration.providers[.coinGecko]?.baseURL = sim.endpoints.coinGecko
                collectorConfiguration.providers[.coinMarketCap]?.baseURL = sim.endpoints.coinMarketCap
                collectorConfiguration.providers[.binance]?.baseURL = sim.endpoints.binance
                collectorConfiguration.providers[.coinbase]?.baseURL = sim.endpoints.coinbase
                collectorConfiguration.providers[.kraken]?.baseURL = sim.endpoints.kraken
                // The demo streams Binance, Coinbase and Kraken from its simulator unless told otherwise.
                collectorConfiguration.streams[.binance]?.baseURL = sim.endpoints.binanceStreams
                collectorConfiguration.streams[.coinbase]?.baseURL = sim.endpoints.coinbaseStreams
                collectorConfiguration.streams[.kraken]?.baseURL = sim.endpoints.krakenStreams
                if collectorConfiguration.coinMarketCapKey == nil { collectorConfiguration.coinMarketCapKey = "demo-key" }
                simulator = sim
                logger.info("demo market simulator started", metadata: ["port": "\(sim.port)", "assets": "\(demoAssets)"])
            }
            var publisherConfiguration = TickPublisher.Configuration()
            publisherConfiguration.spillFile = spillFile
            publisherConfiguration.drain = drain
            publisherConfiguration.maxBufferedTicks = settings.publishBufferTicks
            let pub = try TickPublisher(bus: bus, configuration: publisherConfiguration, logger: Logger(label: "cryptoviz.bus"))
            publisher = pub
            eventPublisher = MarketEventPublisher(bus: bus, logger: Logger(label: "cryptoviz.bus"))
            collectors = CollectorService(configuration: collectorConfiguration, httpClient: HTTPClient.shared,
                                          logger: Logger(label: "cryptoviz.collectors"))
        }

        // The writing process keeps its tables' file counts down (not a server alone, which
        // only reads, nor a collector); its server shows the schedule.
        var maintenance: LakeCompactionSchedule?
        if processor != nil, lake != nil, settings.autoCompactSeconds > 0 {
            maintenance = LakeCompactionSchedule(
                every: .milliseconds(Int64(settings.autoCompactSeconds * 1000)), minFiles: settings.autoCompactFiles,
                vacuumEvery: settings.autoVacuumHours > 0 ? .milliseconds(Int64(settings.autoVacuumHours * 3_600_000)) : nil,
                retentionHours: settings.vacuumRetentionHours)
        }

        // Shutdown runs in reverse order of this list: collectors, publisher, processor, tail, server.
        if roles.contains(.serve), let lake {
            let busKind = noBus ? "none" : settings.bus == "memory" ? "memory" : "kafka"
            let report = PipelineStatsReport(processor: processor, publisher: publisher, events: eventPublisher,
                                             collectors: collectors, bus: bus,
                                             busKind: busKind, tail: tail)
            var dataConfiguration = LakeMarketData.Configuration(location: lake.location)
            dataConfiguration.localDirectory = lake.localDirectory
            dataConfiguration.duckdb = DuckDBEngine.locate().map {
                DuckDBEngine(executable: $0, scratchDirectory: dataURL.appendingPathComponent("tmp/sql").path)
            }
            if let log = maintenance?.log {
                dataConfiguration.maintenance = { MaintenanceDTO(await log.current()) }
            }
            if dataConfiguration.duckdb == nil {
                logger.warning("DuckDB CLI not found: the SQL explorer is off (scripts/up.sh installs it; or set CRYPTOVIZ_DUCKDB)")
            }
            let data = LakeMarketData(table: lake.table, store: lake.store, tail: tail, configuration: dataConfiguration,
                                      stats: { await report.snapshot() }, logger: Logger(label: "cryptoviz.server"))
            var configuration = ServerConfiguration(host: settings.host, port: settings.port, token: settings.token)
            configuration.mode = demoAssets != nil ? .demo : noBus ? .history : .live
            let (serverConfiguration, generated) = configuration.withGeneratedTokenIfNeeded()
            if let generated {
                print("Management and SQL token (bearer): \(generated)")
                // stdout is block-buffered into a pipe: a supervisor's log must get the token now.
                fflush(nil)
            }
            // Without a bus the lake is opened read-only, and nothing live can fire: the journal
            // under <data>/alerts is the only history then.
            let (alerts, webhooks) = try openAlerts(settings: settings, dataURL: dataURL, exportsHistory: !noBus)
            let server = try CryptoVizServer(configuration: serverConfiguration, data: data, registry: registry,
                                             alerts: alerts, logger: Logger(label: "cryptoviz.server"))
            let host = settings.host
            services.append(.init(service: server.makeApplication(onRunning: { port in
                print("CryptoViz is serving on http://\(host):\(port)")
                fflush(nil)
            })))
            services.append(.init(service: PipelineService("lake catalog") { await data.warmCatalog() },
                                  successTerminationBehavior: .ignore))
            // The alert engine reads the tail's live feed: the ticks the dashboard shows, as they arrive.
            services.append(.init(service: PipelineService("alerts") { await alerts.run(ticks: tail.subscribe()) }))
            if !noBus {
                let export = AlertHistoryExport(lake: lake.lake, alerts: alerts, logger: Logger(label: "cryptoviz.alerts"))
                services.append(.init(service: PipelineService("alert history") { await export.run() }))
            }
            services.append(.init(service: PipelineService("webhooks") { await webhooks.run() }))
            let freshness = LakeFreshnessFeed(table: lake.table, alerts: alerts, logger: Logger(label: "cryptoviz.alerts"))
            services.append(.init(service: PipelineService("lake freshness") { await freshness.run() }))
            if let bus {
                let tailGroup = "cryptoviz-tail-\(UUID().uuidString.prefix(8))"
                services.append(.init(service: PipelineService("hot tail") {
                    try await tail.follow(bus: bus, group: tailGroup, deadLetters: deadLetters, logger: Logger(label: "cryptoviz.tail"))
                }))
            } else {
                logger.info("no bus: serving the lake read-only (no live ticks; the tail holds what the lake had in its window)")
            }
        }
        if let processor {
            services.append(.init(service: PipelineService("stream processor") { try await processor.run() }))
            if let lake, let schedule = maintenance {
                let candles = settings.rollups ? try await lake.lake.candles() : nil
                let ticks = lake.table
                services.append(.init(service: PipelineService("lake compaction") {
                    await schedule.run(ticks: ticks, candles: candles, trades: tradeTable, logger: Logger(label: "cryptoviz.compaction"))
                }))
            }
        }
        if let publisher {
            services.append(.init(service: PipelineService("publisher") { await publisher.run() }))
        }
        if let collectors, let publisher {
            let events = eventPublisher
            if collectOnce {
                // One poll of each provider, then the same ordered stop as after a signal.
                services.append(.init(service: PipelineService("collectors") {
                    _ = try await collectors.collectOnce { ticks in await publisher.enqueue(ticks) }
                }, successTerminationBehavior: .gracefullyShutdownGroup))
            } else {
                services.append(.init(service: PipelineService("collectors") {
                    try await collectors.run(sink: { ticks in await publisher.enqueue(ticks) }, events: { streamed in
                        await events?.publish(streamed) { await collectors.assetID(exchangeBase: $0) }
                    })
                }))
            }
        }
        let finalSimulator = simulator
        let (finalProcessor, finalPublisher) = (processor, publisher)
        let report: @Sendable () async -> StopReport = {
            StopReport(publisher: await finalPublisher?.currentStats(), processor: await finalProcessor?.currentStats())
        }
        return PipelineRuntime(services: services, logger: logger, drain: drain, report: report, cleanup: {
            await finalSimulator?.stop()
            if let kafka = bus as? KafkaBus { await kafka.close() }
        })
    }

    /// The serving process's alerts under `<data>/alerts`, with `--alerts FILE`'s rules and
    /// webhooks on top. The delivery runs even without webhooks: it resends what a previous run
    /// left in the outbox.
    private static func openAlerts(settings: RuntimeSettings, dataURL: URL, exportsHistory: Bool) throws -> (AlertMonitor, WebhookDelivery) {
        var rulesFile: AlertRuleSet?
        if let path = settings.alertsFile {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ValidationError("--alerts: cannot read \(path): \(error.localizedDescription)")
            }
            do {
                rulesFile = try AlertRuleSet.decode(bytes)
            } catch {
                throw ValidationError("--alerts \(path): \(error.description)")
            }
        }
        let directory = dataURL.appendingPathComponent("alerts")
        let logger = Logger(label: "cryptoviz.alerts")
        let delivery = WebhookDelivery(webhooks: rulesFile?.webhooks ?? [], directory: directory,
                                       client: HTTPClient.shared, logger: logger)
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), rulesFile: rulesFile, delivery: delivery,
                                       exportsHistory: exportsHistory, logger: logger)
        return (monitor, delivery)
    }

    /// Runs until SIGINT or SIGTERM, then drains: collectors stop, the publisher sends what it
    /// holds, the processor commits it, the tail and server stop. A second signal hurries the
    /// drains (they keep what they hold instead of sending it). Exits non-zero only when data
    /// was lost.
    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hurry = Task { [drain, logger] in
            var received = 0
            for await signal in signals {
                received += 1
                if received == 2 {
                    logger.notice("second stop signal: finishing now; what is not committed is spilled", metadata: ["signal": "\(signal)"])
                    drain.hurry()
                }
            }
        }
        defer { hurry.cancel() }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            await cleanup()
            var metadata = await report().metadata
            metadata["error"] = "\(error)"
            logger.error("stopped with an error", metadata: metadata)
            throw error
        }
        await cleanup()
        let outcome = await report()
        guard outcome.lost == 0 else {
            logger.error("stopped, but data was lost", metadata: outcome.metadata)
            throw ExitCode(3)
        }
        logger.info("stopped cleanly", metadata: outcome.metadata)
    }
}
