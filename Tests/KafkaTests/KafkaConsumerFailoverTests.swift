import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport

/// Failover of a `KafkaConsumer` group member when another member, a librdkafka consumer in a
/// separate process, is killed with SIGKILL (no LeaveGroup, no final commit).
@Suite struct KafkaConsumerFailoverTests {
    let logger = KafkaTestContext.logger

    /// What one member of the test group has read: every record, and the first offset per partition.
    final class Seen: Sendable {
        private let state = Mutex<(values: [String: Int], first: [Int32: Int64])>(([:], [:]))
        func add(partition: Int32, offset: Int64, value: String) {
            state.withLock {
                $0.values[value, default: 0] += 1
                if $0.first[partition] == nil { $0.first[partition] = offset }
            }
        }
        var values: [String: Int] { state.withLock { $0.values } }
        var firstOffsets: [Int32: Int64] { state.withLock { $0.first } }
    }

    /// The JSON lines the librdkafka member printed so far.
    struct MemberLog {
        var assignment: [Int32] = []
        var values: Set<String> = []
        init(_ process: ManagedProcess) {
            for line in process.logTail(50_000_000).split(separator: "\n") where line.hasPrefix("{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if let a = object["assigned"] as? [Int] { assignment = a.map(Int32.init) }
                if object["revoked"] != nil { assignment = [] }
                if let v = object["value"] as? String { values.insert(v) }
            }
        }
    }

    func produce(_ range: Range<Int>, topic: String, partitions: Int32, bootstrap: String) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], linger: .milliseconds(2)), logger: logger)
        let tally = Tally()
        for i in range {
            try await producer.enqueue(topic: topic, key: nil, value: Array("r-\(i)".utf8), partition: Int32(i % Int(partitions)),
                                       onDelivery: tally.record)
        }
        await producer.close()
        #expect(tally.ok == range.count, "failures: \(tally.failed.prefix(3))")
    }

    @Test(arguments: [PartitionAssignor.range, .roundRobin])
    func swiftMemberTakesOverFromKilledLibrdkafkaMemberWithoutLoss(assignor: PartitionAssignor) async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("xkill")
        let group = KafkaTestContext.unique("xgroup")
        let partitions: Int32 = 4
        let perPhase = 1500
        try await KafkaTestContext.createTopic(topic, partitions: partitions, bootstrap: bootstrap)
        try await produce(0..<perPhase, topic: topic, partitions: partitions, bootstrap: bootstrap)

        let python = ManagedProcess(
            executable: try TestEnvironment.python(),
            arguments: [TestEnvironment.oracle("kafka/librdkafka.py"), "member", bootstrap, topic, group, assignor.rawValue, "2000"],
            label: "rdkafka-member")
        try python.start()
        defer { python.stop(signal: SIGKILL) }
        try await KafkaTestContext.eventually(.seconds(30), "librdkafka member assigned (log: \(python.logTail(500)))") {
            MemberLog(python).assignment.count == Int(partitions)
        }

        var config = KafkaTestContext.consumerConfiguration(bootstrap, group: group)
        config.assignor = assignor
        let consumer = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        let seen = Seen()
        let drain = Task {
            while true {
                let batch = try await consumer.nextBatch()
                if batch.isEmpty { return }
                var next: [TopicPartition: Int64] = [:]
                for r in batch {
                    seen.add(partition: r.partition, offset: r.offset, value: String(decoding: r.value, as: UTF8.self))
                    next[TopicPartition(topic: r.topic, partition: r.partition)] = r.offset + 1
                }
                try? await consumer.commit(offsets: next)
            }
        }
        try await KafkaTestContext.eventually(.seconds(30), "both members assigned") {
            let ours = await consumer.assignment.map(\.partition)
            let theirs = MemberLog(python).assignment
            return !ours.isEmpty && !theirs.isEmpty && Set(ours).isDisjoint(with: theirs) && ours.count + theirs.count == Int(partitions)
        }
        let victimPartitions = MemberLog(python).assignment
        try await produce(perPhase..<(2 * perPhase), topic: topic, partitions: partitions, bootstrap: bootstrap)
        try await KafkaTestContext.eventually(.seconds(30), "the librdkafka member consumes in the split group") {
            let victimValues = MemberLog(python).values
            return (perPhase..<(2 * perPhase)).contains { victimPartitions.contains(Int32($0 % Int(partitions))) && victimValues.contains("r-\($0)") }
        }

        python.stop(signal: SIGKILL)
        let killed = ContinuousClock.now
        let victimLog = MemberLog(python)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        let committed = try await admin.groupOffsets(group)
        await admin.close()
        let oursBefore = seen.firstOffsets

        try await produce((2 * perPhase)..<(3 * perPhase), topic: topic, partitions: partitions, bootstrap: bootstrap)
        try await KafkaTestContext.eventually(.seconds(40), "the Swift member owns every partition") {
            await consumer.assignment.count == Int(partitions)
        }
        #expect(ContinuousClock.now - killed >= .seconds(1), "takeover should wait for the session timeout")
        let total = 3 * perPhase
        try await KafkaTestContext.eventually(.seconds(30), "every record seen by one member or the other") {
            let ours = seen.values
            return (0..<total).allSatisfy { ours["r-\($0)"] != nil || victimLog.values.contains("r-\($0)") }
        }
        await consumer.close()
        _ = await drain.result

        // The survivor resumed the victim's partitions exactly where the victim had committed.
        let first = seen.firstOffsets
        for p in victimPartitions where oursBefore[p] == nil {
            let tp = TopicPartition(topic: topic, partition: p)
            #expect(first[p] == committed[tp] ?? 0, "partition \(p): resumed at \(String(describing: first[p])), committed \(String(describing: committed[tp]))")
        }
        let missing = (0..<total).filter { seen.values["r-\($0)"] == nil && !victimLog.values.contains("r-\($0)") }
        #expect(missing.isEmpty, "lost records: \(missing.prefix(5))")
        #expect(!victimLog.values.isEmpty)
    }
}
