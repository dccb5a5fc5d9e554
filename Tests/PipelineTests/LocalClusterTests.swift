import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The distributed deployment on one machine, as separate processes over real sockets: a
/// Kafka-compatible broker (tansu), an S3 server (localbucket, files on disk so it can be
/// stopped and started), the market simulator, one collector and two processors in one
/// consumer group, and a server role. While it streams, one processor is SIGKILLed and
/// restarted, and the S3 server is down for 30 s. Afterwards librdkafka reads what the collector published, and
/// delta-rs and DuckDB read the lake: every event is there exactly once, and the group's
/// committed offsets are at the end of every partition.
///
/// The broker outage has its own test (`CollectorBrokerOutageTests`): it needs tansu's durable
/// storage, whose per-request object-store round trips are too slow on this machine to keep a
/// consumer group of two stable next to everything else.
@Suite(.serialized) struct LocalClusterTests {
    let group = "cluster-processors"

    @Test func everyPublishedEventReachesTheLakeExactlyOnceThroughCrashesAndOutages() async throws {
        let broker = try KafkaTestBroker()
        defer { broker.stop() }
        let s3 = try LocalBucketServer(buckets: ["lake"])
        let binary = try TestEnvironment.cryptovizBinary()
        let work = try TestEnvironment.temporaryDirectory("cluster")

        let (simulator, simulatorURL) = try CryptovizRoles.simulator(assets: 60, label: "cluster-simulator")
        defer { simulator.stop(signal: SIGKILL) }

        let bus = "kafka://\(broker.bootstrap)"
        let s3Environment = S3TestCredentials.environment(endpoint: s3.endpoint)
        func processor(_ name: String) -> ManagedProcess {
            ManagedProcess(executable: binary, arguments: [
                "process", "--bus", bus, "--group", group, "--lake", "s3://lake",
                "--data", work.appendingPathComponent(name).path,
            ], environment: s3Environment, label: "cluster-processor-\(name)")
        }
        let first = processor("a")
        let second = processor("b")
        try first.start()
        try second.start()
        defer {
            first.stop(signal: SIGKILL)
            second.stop(signal: SIGKILL)
        }
        let collector = try CryptovizRoles.collector(bus: bus, simulatorURL: simulatorURL, assets: 50,
                                                     data: work.appendingPathComponent("collector"), label: "cluster-collector")
        try collector.start()
        defer { collector.stop(signal: SIGKILL) }

        func commits() -> Int {
            s3.objects(bucket: "lake", prefix: "ticks/_delta_log").filter { $0.hasSuffix(".json") }.count
        }
        func context() -> String {
            "processor a:\n\(first.logTail(1500))\nprocessor b:\n\(second.logTail(1500))\ncollector:\n\(collector.logTail(1500))"
        }

        // Streaming: data commits from the group.
        try await waitUntil("data commits in the lake", timeout: 90, context) { commits() >= 4 }

        // A processor dies without warning and comes back on the same local state.
        let assignedBefore = occurrences(of: "partitions assigned", in: first)
        first.stop(signal: SIGKILL)
        try await Task.sleep(for: .seconds(2))
        try first.start()
        try await waitUntil("the restarted processor to rejoin", timeout: 90, context) {
            occurrences(of: "partitions assigned", in: first) > assignedBefore
        }
        let afterRejoin = commits()
        try await waitUntil("commits after the rejoin", timeout: 60, context) { commits() >= afterRejoin + 2 }

        // The object store is down for 30 s: processors keep consuming into their local
        // fallback tables and drain them when it returns.
        s3.stop()
        try await Task.sleep(for: .seconds(30))
        try s3.start()
        let logs = { [first, second] in first.logTail(2_000_000) + second.logTail(2_000_000) }
        #expect(logs().contains("committing to the local fallback table"), "no processor used its fallback table\n\(context())")
        try await waitUntil("a fallback table drained into the lake", timeout: 90, context) {
            logs().contains("drained the fallback table into the lake")
        }

        // A server role over the same bus and lake answers with live quotes and the lake's state.
        let serverPort = try LoopbackPort.free()
        let server = ManagedProcess(executable: binary, arguments: [
            "serve", "--bus", bus, "--lake", "s3://lake", "--port", "\(serverPort)",
            "--data", work.appendingPathComponent("server").path,
        ], environment: s3Environment, label: "cluster-server")
        try server.start()
        defer { server.stop(signal: SIGKILL) }
        try LoopbackPort.waitUntilOpen(serverPort, timeout: 60)
        var quoted = 0
        for _ in 0..<60 where quoted == 0 {
            if let body = try? await httpJSON("http://127.0.0.1:\(serverPort)/api/v1/quotes/latest"),
               let quotes = body["quotes"] as? [Any] {
                quoted = quotes.count
            }
            if quoted == 0 { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(quoted >= 40, "serve quotes the watched assets from the bus and the lake\n\(server.logTail())")
        let lakeInfo = try await httpJSON("http://127.0.0.1:\(serverPort)/api/v1/lake")
        #expect((lakeInfo?["version"] as? Int ?? 0) >= 4, "serve reads the shared lake: \(String(describing: lakeInfo))")
        server.stop(signal: SIGTERM)

        // The collector stops; everything it accepted must have been published.
        collector.stop(signal: SIGTERM)
        let stopped = try #require(collector.logTail(200_000).split(separator: "\n").last { $0.contains("publisher stopped") },
                                   "collector did not report its publisher at shutdown\n\(context())")
        let accepted = try #require(CryptovizRoles.number(after: "accepted=", in: stopped))
        #expect(CryptovizRoles.number(after: "published=", in: stopped) == accepted, "\(stopped)")
        #expect(stopped.contains("unsent_in_memory=0") && stopped.contains("unsent_in_spill_file=false"), "\(stopped)")
        #expect(accepted > 1_000, "too little traffic to mean anything: \(accepted)")

        // The processors catch up; then librdkafka, delta-rs and DuckDB compare.
        var check = ClusterCheck()
        let deadline = ContinuousClock.now + .seconds(120)
        repeat {
            check = try ClusterCheck.run(bootstrap: broker.bootstrap, group: group, s3: s3)
            if check.caughtUp { break }
            try await Task.sleep(for: .seconds(3))
        } while ContinuousClock.now < deadline
        first.stop(signal: SIGTERM)
        second.stop(signal: SIGTERM)

        #expect(check.topicMessages >= accepted, "every accepted tick is on the topic: \(check.raw)")
        #expect(check.lakeMissing == 0, "events published but not in the lake: \(check.raw)")
        #expect(check.lakeExtra == 0, "events in the lake never published: \(check.raw)")
        #expect(check.lakeRows == check.topicEvents && check.lakeEvents == check.topicEvents, "exactly once: \(check.raw)")
        #expect(check.duckRows == check.topicEvents && check.duckEvents == check.topicEvents, "DuckDB agrees: \(check.raw)")
        #expect(check.lagFree, "committed offsets at the end of every partition: \(check.raw)")
    }

    private func httpJSON(_ url: String) async throws -> [String: Any]? {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    private func occurrences(of text: String, in process: ManagedProcess) -> Int {
        process.logTail(1_000_000).components(separatedBy: text).count - 1
    }

    private func waitUntil(_ what: String, timeout: Double, _ context: () -> String,
                           _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("timed out after \(Int(timeout)) s waiting for \(what)\n\(context())")
        throw CancellationError()
    }
}
