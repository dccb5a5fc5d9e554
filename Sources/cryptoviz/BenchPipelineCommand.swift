import ArgumentParser
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// `cryptoviz bench pipeline`: end-to-end ingest throughput of the stages after the collectors —
/// publisher → bus (in-process or Kafka) → stream processor → Delta table on local disk — fed
/// as fast as the publisher takes ticks. Prints ticks/s to published and to committed in the
/// lake, the processor's source→lake freshness, and the peak resident memory.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipeline", abstract: "Benchmark end-to-end ingest throughput.")

    @Option(help: "Ticks to push through.") var ticks = 200_000
    @Option(help: "Distinct assets (keys).") var assets = 500
    @Option(help: "Bus: 'memory' or kafka://host:port (fresh topics are created per run).") var bus = "memory"
    @Option(help: "Directory for the lake (emptied first).") var directory = "/tmp/cryptoviz-bench-pipeline"
    @Option(help: "Python with deltalake and duckdb for the final count (default: $CRYPTOVIZ_PYTHON or .venv/bin/python).") var python: String?
    @Flag(help: "Skip the delta-rs / DuckDB count of the committed ticks.") var skipCheck = false
    @Option(help: "Processor batch size (records per lake commit).") var batch = 20_000

    func run() async throws {
        guard ticks > 0, assets > 0, batch > 0 else { throw ValidationError("ticks, assets and batch must be positive") }
        CommandLogging.bootstrap(level: .warning)
        let logger = Logger(label: "cryptoviz.bench")
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The lake is the directory itself: its tick table lands in <directory>/ticks.
        let table = try await Lake.open(store: try LocalFileStore(root: directory), logger: logger).ticks()

        // Fresh topics per run, named as long as the product's (crypto-raw-data: 15 bytes,
        // crypto-streaming: 16), so their strings cost what they cost in production (Swift
        // keeps strings of up to 15 bytes inline, longer ones on the heap, reference counted).
        let run = UUID().uuidString.prefix(6)
        let raw = "raw-data-\(run)", live = "streaming-\(run)"
        let theBus: any Bus
        if bus == "memory" {
            // As in `up`: the live topic drops its oldest messages rather than block (nobody
            // follows it here).
            var configuration = InProcessBus.Configuration()
            configuration.overflow = [live: .dropOldest]
            theBus = InProcessBus(configuration: configuration)
        } else {
            var settings = RuntimeSettings()
            settings.bus = bus
            theBus = try KafkaBus(configuration: .init(bootstrapServers: try settings.kafkaBootstrapServers()), logger: logger)
        }
        try await theBus.ensureTopics([raw, live], partitions: BusTopics.defaultPartitions)

        var publisherConfiguration = TickPublisher.Configuration()
        publisherConfiguration.topics = [raw, live]
        publisherConfiguration.maxBufferedTicks = ticks + 1
        let publisher = try TickPublisher(bus: theBus, configuration: publisherConfiguration, logger: logger)
        var processorConfiguration = StreamProcessor.Configuration()
        processorConfiguration.topic = raw
        processorConfiguration.group = "bench-\(run)"
        processorConfiguration.maxBatchRecords = batch
        processorConfiguration.trigger = .seconds(1)
        let processor = StreamProcessor(bus: theBus, lake: table, configuration: processorConfiguration,
                                        deadLetters: DeadLetterQueue(fileURL: URL(fileURLWithPath: directory + "/dead-letters.jsonl"), logger: logger),
                                        logger: logger)

        // One millisecond apart, all in the past (the validator rejects future source times).
        let base = currentUnixMillis() - Int64(ticks) - 600_000
        let input = (0..<ticks).map { i in
            let a = i % assets
            return Tick(source: [ProviderID.coinGecko, .coinMarketCap, .binance][i % 3], asset: AssetID("asset-\(a)"), symbol: "A\(a)",
                        price: 100 + Double(i % 1000) / 10, marketCap: 1e9, volume24h: 1e7, change1h: 0.1, change24h: 1, change7d: 2,
                        sourceTimeMillis: base + Int64(i), collectedTimeMillis: base + Int64(i) + 20)
        }

        let processorTask = Task { try await processor.run() }
        let publisherTask = Task { await publisher.run() }
        let clock = ContinuousClock()
        let started = clock.now
        let cpuStarted = CPUClock.seconds()
        let loadBefore = BenchTiming.loadAverage()
        for chunk in stride(from: 0, to: input.count, by: 5_000) {
            await publisher.enqueue(Array(input[chunk..<min(chunk + 5_000, input.count)]))
        }
        await publisher.drained()
        let published = clock.now - started
        var stats = await processor.currentStats()
        var lastReport = clock.now
        // Done when every tick is accounted for: committed, or dropped for a stated reason.
        func settled(_ s: StreamProcessor.Stats) -> Int {
            s.committedRecords + s.duplicates + s.deadLettered + s.rejected.values.reduce(0, +)
        }
        var stopping = false
        while settled(stats) < ticks {
            try await Task.sleep(for: .milliseconds(20))
            stats = await processor.currentStats()
            if !stopping && stats.consumed >= ticks {
                // Everything is read: stop the processor, whose stop commits what is pending at
                // once. Left running, the last partial batch waited for the time trigger (1 s),
                // idle time that was up to a quarter of a run.
                stopping = true
                processorTask.cancel()
            }
            if clock.now - lastReport > .seconds(10) {
                lastReport = clock.now
                print("progress: consumed \(stats.consumed), committed \(stats.committedRecords), duplicates \(stats.duplicates), rejected \(stats.rejected), dead letters \(stats.deadLettered)")
            }
            if clock.now - started > .seconds(1_800) { throw ValidationError("gave up after 30 minutes: \(stats.committedRecords) committed") }
        }
        let committed = clock.now - started
        let cpu = CPUClock.seconds() - cpuStarted
        processorTask.cancel()
        publisherTask.cancel()
        _ = try? await processorTask.value
        await publisherTask.value
        if let kafka = theBus as? KafkaBus { await kafka.close() }
        let rows = try await table.info()

        func rate(_ d: Duration) -> String {
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return String(format: "%.2f s, %.0f ticks/s", seconds, Double(ticks) / seconds)
        }
        print("bus: \(bus), ticks: \(ticks), assets: \(assets), batch: \(batch), partitions: \(BusTopics.defaultPartitions)")
        print("published to both topics: \(rate(published))")
        print("committed to the lake:    \(rate(committed)) (\(stats.commits) commits, table rows \(rows.rows))")
        print(String(format: "process CPU: %.2f s (%.1f us per tick; %.2f cores busy on average); load average before %@, after %@",
                     cpu, cpu / Double(ticks) * 1e6, cpu / committed.benchSeconds, loadBefore as NSString, BenchTiming.loadAverage() as NSString))
        print("processor duplicates: \(stats.duplicates), rejected: \(stats.rejected), dead letters: \(stats.deadLettered)")
        if !skipCheck {
            // Every tick committed once, counted by delta-rs and DuckDB, not by our reader.
            let interpreter = python ?? ProcessInfo.processInfo.environment["CRYPTOVIZ_PYTHON"] ?? ".venv/bin/python"
            let child = try ChildProcess.run([interpreter, "Tests/Oracles/pipeline/lake_events.py", directory + "/ticks"])
            guard child.status == 0, let start = child.output.firstIndex(of: "{"),
                  let json = try? JSONSerialization.jsonObject(with: Data(child.output[start...].utf8)) as? [String: Any],
                  let deltaRS = json["deltalake"] as? [String: Any], let duck = json["duckdb"] as? [String: Any]
            else { throw ValidationError("lake_events.py failed: \(child.output)") }
            let counts = [deltaRS["rows"], deltaRS["events"], duck["rows"], duck["events"]].map { $0 as? Int ?? -1 }
            print("check (delta-rs rows, events; DuckDB rows, events): \(counts.map(String.init).joined(separator: ", ")) for \(ticks) ticks")
            guard counts.allSatisfy({ $0 == ticks }) else { throw ValidationError("the lake does not hold every tick exactly once") }
        }
        print("peak resident memory: \(PeakMemory.residentMegabytes().map { String(format: "%.0f MB", $0) } ?? "n/a")")
    }
}

/// The process's peak resident set (Linux `VmHWM`), for benchmarks.
enum PeakMemory {
    static func residentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kb / 1024
    }
}
