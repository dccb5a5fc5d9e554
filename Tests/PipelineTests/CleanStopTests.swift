import CryptoVizCore
import Foundation
import Testing
import TestSupport

/// A clean stop never loses data: `cryptoviz up` on an S3 lake (a real S3 server on disk that
/// can be stopped) is stopped with SIGINT and SIGTERM at random moments, with the S3 server
/// gone at the moment of the stop, and with a second Ctrl-C; each run's exit line says what
/// it accepted, and at the end delta-rs and DuckDB must find every accepted tick exactly once.
@Suite(.serialized) struct CleanStopTests {
    struct Run {
        var status: Int32?
        var line: String
        var processorLine = ""
        var accepted: Int { CryptovizRoles.number(after: "accepted=", in: line) ?? -1 }
        var spilledAtStop: Int { CryptovizRoles.number(after: "spilled_at_stop=", in: line) ?? -1 }
        var inFallback: Int { CryptovizRoles.number(after: "in_fallback_table=", in: line) ?? 0 }
    }

    static func s3Environment(_ s3: LocalBucketServer) -> [String: String] {
        S3TestCredentials.environment(endpoint: s3.endpoint)
    }

    func up(data: URL, s3: LocalBucketServer, port: Int) throws -> ManagedProcess {
        let process = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "60", "--assets", "60", "--interval", "1", "--lake", "s3://stops/lake",
                        "--data", data.path, "--port", "\(port)", "--drain-timeout", "20"],
            environment: Self.s3Environment(s3).merging(["CRYPTOVIZ_DUCKDB": try TestEnvironment.duckdb()]) { $1 },
            label: "clean-stop-up")
        try process.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        return process
    }

    /// Stops `process` with `signals` and returns its exit status and its last stop line.
    func stop(_ process: ManagedProcess, signals: [Int32], interval: Duration = .milliseconds(300)) -> Run {
        let status = process.stop(signals: signals, interval: interval)
        let log = process.logTail(400_000)
        let lines = log.split(separator: "\n")
        let line = lines.last { $0.contains("stopped cleanly") || $0.contains("stopped, but") || $0.contains("stopped with") }
        // The processor's own count (committed, spilled, duplicates, rejected), for a failure's message.
        let processor = lines.last { $0.contains("stream processor stopped") }.map(String.init) ?? ""
        return Run(status: status, line: line.map(String.init) ?? "(no stop line)\n\(log.suffix(3000))", processorLine: processor)
    }

    func lakeCounts(_ s3: LocalBucketServer) throws -> (rows: Int, events: Int, duckRows: Int, duckEvents: Int) {
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", ["s3://stops/lake/ticks"],
                                              environment: ["CRYPTOVIZ_S3_ENDPOINT": s3.endpoint]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        return (json["deltalake"]?["rows"] as? Int ?? -1, json["deltalake"]?["events"] as? Int ?? -1,
                json["duckdb"]?["rows"] as? Int ?? -1, json["duckdb"]?["events"] as? Int ?? -1)
    }

    @Test func upOnS3StoppedAtRandomMomentsKeepsEveryAcceptedTick() async throws {
        let s3 = try LocalBucketServer(buckets: ["stops"])
        let data = try TestEnvironment.temporaryDirectory("clean-stop")
        let port = try LoopbackPort.free()
        var generator = SeededGenerator(seed: 20_261_205)
        var accepted = 0
        var stops: [String] = []
        // Five Ctrl-Cs and one SIGTERM, each after a random 2-9 s of running.
        for signal in [SIGINT, SIGINT, SIGTERM, SIGINT, SIGINT, SIGINT] {
            let process = try up(data: data, s3: s3, port: port)
            try await Task.sleep(for: .milliseconds(Int64.random(in: 2_000...9_000, using: &generator)))
            let run = stop(process, signals: [signal])
            #expect(run.status == 0, "exit status \(String(describing: run.status)): \(run.line)")
            #expect(run.line.contains("stopped cleanly") && run.line.contains("lost=0"), "\(run.line)")
            #expect(run.accepted >= 0, "\(run.line)")
            accepted += max(run.accepted, 0)
            stops.append(run.line + "\n" + run.processorLine)
        }
        #expect(accepted > 500, "too little traffic to mean anything: \(accepted)")
        let counts = try lakeCounts(s3)
        #expect(counts.events == accepted, "every accepted tick in the lake: \(counts) vs accepted \(accepted); stops:\n\(stops.joined(separator: "\n"))")
        #expect(counts.rows == counts.events, "no duplicates: \(counts)")
        #expect(counts.duckRows == counts.rows && counts.duckEvents == counts.events, "DuckDB agrees: \(counts)")
    }

    @Test func s3GoneAtTheStopKeepsTheTicksAndTheNextStartCommitsThemOnce() async throws {
        let s3 = try LocalBucketServer(buckets: ["stops"])
        let data = try TestEnvironment.temporaryDirectory("clean-stop-outage")
        let port = try LoopbackPort.free()
        var accepted = 0
        var stops: [String] = []

        // S3 refuses connections when the stop arrives: the last batch goes to the fallback table.
        var process = try up(data: data, s3: s3, port: port)
        try await Task.sleep(for: .seconds(7))
        s3.stop()
        var run = stop(process, signals: [SIGINT])
        #expect(run.status == 0 && run.line.contains("stopped cleanly") && run.line.contains("lost=0"), "\(run.line)")
        #expect(run.inFallback + max(run.spilledAtStop, 0) > 0, "the last batch was kept locally: \(run.line)")
        accepted += max(run.accepted, 0)
        stops.append(run.line + "\n" + run.processorLine)

        // Again, with a second Ctrl-C: the drain gives up sending at once and spills.
        try s3.start()
        process = try up(data: data, s3: s3, port: port)
        try await Task.sleep(for: .seconds(7))
        s3.stop()
        run = stop(process, signals: [SIGINT, SIGINT], interval: .milliseconds(200))
        #expect(run.status == 0 && run.line.contains("stopped cleanly") && run.line.contains("lost=0"), "\(run.line)")
        accepted += max(run.accepted, 0)
        stops.append(run.line + "\n" + run.processorLine)

        // S3 is back: the next start commits what the stops kept, then its own ticks.
        try s3.start()
        process = try up(data: data, s3: s3, port: port)
        try await Task.sleep(for: .seconds(12))
        run = stop(process, signals: [SIGTERM])
        #expect(run.status == 0 && run.line.contains("stopped cleanly") && run.line.contains("in_fallback_table=0"), "\(run.line)")
        accepted += max(run.accepted, 0)
        stops.append(run.line + "\n" + run.processorLine)
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("spill/ticks.jsonl").path), "spill file replayed")

        let counts = try lakeCounts(s3)
        #expect(counts.events == accepted, "every accepted tick in the lake: \(counts) vs accepted \(accepted); stops:\n\(stops.joined(separator: "\n"))")
        #expect(counts.rows == counts.events, "no duplicates: \(counts)")
        #expect(counts.duckRows == counts.rows && counts.duckEvents == counts.events, "DuckDB agrees: \(counts)")
    }
}

/// The distributed roles stopped with SIGTERM mid-stream: a collector publishing to Kafka
/// (tansu) and a processor committing to S3 are each stopped and restarted while the market
/// runs; every tick the collectors accepted is on the topic (librdkafka) and in the lake
/// exactly once (delta-rs, DuckDB), and every stop exits 0 with nothing lost.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DistributedCleanStopTests {
    let group = "clean-stop-processors"

    @Test func collectorAndProcessorStoppedMidStreamLoseNothing() async throws {
        let broker = try KafkaTestBroker()
        defer { broker.stop() }
        let s3 = try LocalBucketServer(buckets: ["lake"])
        let work = try TestEnvironment.temporaryDirectory("clean-stop-cluster")
        let (simulator, simulatorURL) = try CryptovizRoles.simulator(assets: 40, label: "clean-stop-simulator")
        defer { simulator.stop(signal: SIGKILL) }
        let bus = "kafka://\(broker.bootstrap)"
        let processor = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "process", "--bus", bus, "--group", group, "--lake", "s3://lake", "--data", work.appendingPathComponent("p").path,
        ], environment: CleanStopTests.s3Environment(s3), label: "clean-stop-processor")
        let collector = try CryptovizRoles.collector(bus: bus, simulatorURL: simulatorURL, assets: 40,
                                                     data: work.appendingPathComponent("c"), label: "clean-stop-collector")
        func stopLine(_ process: ManagedProcess) -> (status: Int32?, line: String) {
            let status = process.stop(signal: SIGTERM)
            let log = process.logTail(400_000)
            let line = log.split(separator: "\n").last { $0.contains("stopped cleanly") || $0.contains("stopped, but") || $0.contains("stopped with") }
            return (status, line.map(String.init) ?? "(no stop line)\n\(log.suffix(3000))")
        }

        try processor.start()
        try collector.start()
        var accepted = 0
        for round in 0..<2 {
            try await Task.sleep(for: .seconds(6))
            let p = stopLine(processor)
            #expect(p.status == 0 && p.line.contains("stopped cleanly") && p.line.contains("lost=0"), "processor stop \(round): \(p.line)")
            try processor.start()
            try await Task.sleep(for: .seconds(4))
            let c = stopLine(collector)
            #expect(c.status == 0 && c.line.contains("stopped cleanly") && c.line.contains("lost=0"), "collector stop \(round): \(c.line)")
            let count = CryptovizRoles.number(after: "accepted=", in: c.line) ?? -1
            #expect(count > 0, "\(c.line)")
            #expect(CryptovizRoles.number(after: "published=", in: c.line) == count, "\(c.line)")
            accepted += max(count, 0)
            if round == 0 { try collector.start() }
        }

        var check = ClusterCheck()
        let deadline = ContinuousClock.now + .seconds(90)
        repeat {
            check = try ClusterCheck.run(bootstrap: broker.bootstrap, group: group, s3: s3)
            if check.caughtUp { break }
            try await Task.sleep(for: .seconds(2))
        } while ContinuousClock.now < deadline
        let p = stopLine(processor)
        #expect(p.status == 0 && p.line.contains("stopped cleanly"), "last processor stop: \(p.line)")

        #expect(check.topicEvents == accepted, "every accepted tick on the topic (librdkafka): \(check.raw) vs \(accepted)")
        #expect(check.lakeMissing == 0 && check.lakeExtra == 0, "lake equals topic: \(check.raw)")
        #expect(check.lakeRows == check.topicEvents && check.lakeEvents == check.topicEvents, "exactly once: \(check.raw)")
        #expect(check.duckRows == check.topicEvents && check.duckEvents == check.topicEvents, "DuckDB agrees: \(check.raw)")
    }

    /// `collect --once --bus …` polls each provider once, publishes, and exits by itself.
    @Test func collectOnceOnABusPublishesEverythingAndExits() async throws {
        let broker = try KafkaTestBroker()
        defer { broker.stop() }
        let (simulator, simulatorURL) = try CryptovizRoles.simulator(assets: 30, label: "collect-once-simulator")
        defer { simulator.stop(signal: SIGKILL) }
        let result = try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), [
            "collect", "--once", "--bus", "kafka://\(broker.bootstrap)", "--assets", "30",
            "--coingecko-url", "\(simulatorURL)/api/v3", "--cmc-url", simulatorURL, "--binance-url", simulatorURL,
            "--providers", "coingecko,coinmarketcap,binance",
            "--data", try TestEnvironment.temporaryDirectory("collect-once").path,
        ], environment: ["CMC_API_KEY": "demo-key"], check: false)
        let line = result.stderr.split(separator: "\n").last { $0.contains("stopped cleanly") }.map(String.init) ?? result.stderr
        #expect(result.status == 0, "\(result.stderr.suffix(3000))")
        let accepted = CryptovizRoles.number(after: "accepted=", in: line) ?? -1
        #expect(accepted > 30 && CryptovizRoles.number(after: "published=", in: line) == accepted, "\(line)")
    }
}
