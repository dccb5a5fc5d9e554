import Foundation
import Testing
import TestSupport

/// `cryptoviz collect --bus kafka://…` rides out a broker outage: the broker (tansu on durable
/// storage, so what it acknowledged survives) is down for 10 s while the collector polls every
/// second. With a 3 s delivery timeout and a 200-tick memory bound, publishes fail during the
/// outage and ticks go to the spill file; they are replayed in order when the broker is back,
/// and at shutdown everything the collector accepted is on the topic, as librdkafka reads it.
@Suite(.serialized) struct CollectorBrokerOutageTests {
    @Test func aBrokerOutageLosesNothingTheCollectorAccepted() async throws {
        let broker = try KafkaTestBroker(durable: true)
        defer { broker.stop() }
        let work = try TestEnvironment.temporaryDirectory("broker-outage")
        let (simulator, simulatorURL) = try CryptovizRoles.simulator(assets: 40, label: "outage-simulator")
        defer { simulator.stop(signal: SIGKILL) }
        let collector = try CryptovizRoles.collector(
            bus: "kafka://\(broker.bootstrap)", simulatorURL: simulatorURL, assets: 30, data: work,
            environment: ["CRYPTOVIZ_DELIVERY_TIMEOUT": "3", "CRYPTOVIZ_PUBLISH_BUFFER": "200"], label: "outage-collector")
        try collector.start()
        defer { collector.stop(signal: SIGKILL) }

        try await Task.sleep(for: .seconds(8))
        try broker.restart(downtime: 10)
        // Long enough for the publisher's backoff (at most 10 s) to find the broker again. The
        // margin dates from a producer stall after restarts (requests reordered on the wire, up
        // to 215 s of silence; fixed, see ARCHITECTURE.md); a recovery ends the wait at once.
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline && !collector.logTail(100_000).contains("bus available again") {
            try await Task.sleep(for: .milliseconds(500))
        }
        try await Task.sleep(for: .seconds(3))
        collector.stop(signal: SIGTERM)

        let log = collector.logTail(500_000)
        #expect(log.contains("bus unavailable"), "the collector never saw the outage\n\(collector.logTail())")
        #expect(log.contains("bus available again"), "the collector never got the broker back\n\(collector.logTail())")
        #expect(log.contains("replayed spilled ticks"), "the spill file was never replayed\n\(collector.logTail())")
        let stopped = try #require(log.split(separator: "\n").last { $0.contains("publisher stopped") },
                                   "no publisher report at shutdown\n\(collector.logTail())")
        let accepted = try #require(CryptovizRoles.number(after: "accepted=", in: stopped))
        #expect(accepted > 300, "too little traffic to mean anything: \(stopped)")
        #expect(CryptovizRoles.number(after: "published=", in: stopped) == accepted, "\(stopped)")
        #expect((CryptovizRoles.number(after: "spilled=", in: stopped) ?? 0) > 0, "the outage should have spilled ticks: \(stopped)")
        #expect(stopped.contains("unsent_in_memory=0") && stopped.contains("unsent_in_spill_file=false"), "\(stopped)")

        let output = try ProcessRunner.oracle("pipeline/cluster_check.py", [broker.bootstrap, "outage-check"]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let topic = try #require(json["topic"] as? [String: Any])
        let messages = try #require(topic["messages"] as? Int)
        let events = try #require(topic["events"] as? Int)
        #expect(messages >= accepted, "every accepted tick reached the topic: \(output)")
        #expect(events == accepted, "each accepted tick is one distinct event on the topic: \(output)")
        #expect(topic["malformed"] as? Int == 0, "\(output)")
    }
}
