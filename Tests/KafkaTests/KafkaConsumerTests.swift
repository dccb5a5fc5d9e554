import Kafka
import NIOCore
import Synchronization
import Testing
import TestSupport
@testable import Kafka

@Suite struct KafkaConsumerTests {
    let logger = KafkaTestContext.logger

    func produce(_ count: Int, to topic: String, partitions: Int32, bootstrap: String) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], linger: .milliseconds(2)), logger: logger)
        for i in 0..<count {
            try await producer.enqueue(topic: topic, key: nil, value: Array("\(i)".utf8), partition: Int32(i % Int(partitions)))
        }
        await producer.close()
    }

    /// A fresh topic on the shared broker and a group configuration for it.
    func groupSetup(_ name: String, partitions: Int32) async throws -> (bootstrap: String, topic: String, config: KafkaConsumerConfiguration) {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique(name)
        try await KafkaTestContext.createTopic(topic, partitions: partitions, bootstrap: bootstrap)
        return (bootstrap, topic, KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("group")))
    }

    /// Consumes in the background so that the member keeps fetching while the group changes.
    func drain(_ consumer: KafkaConsumer) -> Task<Void, Error> {
        Task { for try await _ in consumer.records {} }
    }

    /// Two members of one group, both draining, once each holds partitions; the first one to
    /// join leads the group.
    func twoAssignedMembers(_ config: KafkaConsumerConfiguration, topic: String, within timeout: Duration)
        async throws -> (first: KafkaConsumer, firstDrain: Task<Void, Error>, second: KafkaConsumer, secondDrain: Task<Void, Error>) {
        let first = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        let firstDrain = drain(first)
        try await first.waitForAssignment(timeout: .seconds(20))
        let second = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        let secondDrain = drain(second)
        try await KafkaTestContext.eventually(timeout, "both members assigned") {
            let (x, y) = (await first.assignment, await second.assignment)
            return !x.isEmpty && !y.isEmpty
        }
        return (first, firstDrain, second, secondDrain)
    }

    @Test func groupMembersSplitPartitionsAndTheSurvivorTakesOverOnClose() async throws {
        let (_, topic, config) = try await groupSetup("split", partitions: 4)
        let events = Mutex<[String]>([])
        let a = try KafkaConsumer(configuration: config, topics: [topic], logger: logger,
                                  onAssign: { tps in events.withLock { $0.append("a+\(tps.count)") } },
                                  onRevoke: { tps in events.withLock { $0.append("a-\(tps.count)") } })
        let drainA = drain(a)
        try await a.waitForAssignment(timeout: .seconds(20))
        let b = try KafkaConsumer(configuration: config, topics: [topic], logger: logger,
                                  onAssign: { tps in events.withLock { $0.append("b+\(tps.count)") } })
        let drainB = drain(b)
        // B's onAssign runs just after its assignment is visible (the actor may answer
        // `assignment` while the callback is awaited): wait for both.
        try await KafkaTestContext.eventually(.seconds(30), "both members assigned") {
            let (x, y) = (await a.assignment, await b.assignment)
            return !x.isEmpty && !y.isEmpty && Set(x).isDisjoint(with: y) && x.count + y.count == 4
                && events.withLock { $0.contains { $0.hasPrefix("b+") } }
        }
        // A gave its partitions back (onRevoke) before B received any.
        let log = events.withLock { $0 }
        let revoked = try #require(log.firstIndex(of: "a-4"))
        let bAssigned = try #require(log.firstIndex { $0.hasPrefix("b+") })
        #expect(revoked < bAssigned)

        await b.close()
        try await drainB.value
        try await KafkaTestContext.eventually(.seconds(30), "survivor owns every partition") { await a.assignment.count == 4 }
        await a.close()
        try await drainA.value
    }

    @Test func survivorTakesOverAfterAMemberDiesWithoutLeaving() async throws {
        let (_, topic, config) = try await groupSetup("kill", partitions: 4)
        let (a, drainA, b, drainB) = try await twoAssignedMembers(config, topic: topic, within: .seconds(30))
        // B's connections drop without LeaveGroup, as if its process was killed.
        await b.abandon()
        _ = await drainB.result
        let clock = ContinuousClock()
        let died = clock.now
        try await KafkaTestContext.eventually(.seconds(40), "survivor owns every partition after the session timeout") {
            await a.assignment.count == 4
        }
        #expect(clock.now - died >= .seconds(1), "takeover should wait for the session timeout, not a LeaveGroup")
        await a.close()
        try await drainA.value
    }

    /// The leader dies and its replacement joins before the session timeout, as when a crashed
    /// process is restarted at once: the coordinator starts a generation whose remembered leader
    /// is dead, and the members must keep rejoining until one of them leads and hands out every
    /// partition (the cluster test's processors once waited forever here).
    @Test func replacementOfADeadLeaderAndTheSurvivorSplitThePartitions() async throws {
        let (_, topic, groupConfig) = try await groupSetup("releader", partitions: 4)
        var config = groupConfig
        // Longer than the broker's pauses in JoinGroup, so the dead leader outlives a join round.
        config.sessionTimeout = .seconds(6)
        config.heartbeatInterval = .milliseconds(600)
        config.rebalanceTimeout = .seconds(10)
        let (leader, drainLeader, survivor, drainSurvivor) = try await twoAssignedMembers(config, topic: topic, within: .seconds(40))
        await leader.abandon()
        _ = await drainLeader.result
        try await Task.sleep(for: .seconds(2))
        let replacement = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        let drainReplacement = drain(replacement)
        try await KafkaTestContext.eventually(.seconds(60), "the survivor and the replacement own every partition") {
            let (x, y) = (await survivor.assignment, await replacement.assignment)
            return !x.isEmpty && !y.isEmpty && Set(x).isDisjoint(with: y) && x.count + y.count == 4
        }
        await replacement.close()
        await survivor.close()
        try await drainReplacement.value
        try await drainSurvivor.value
    }

    /// A batch whose checksum does not match, between good ones: the consumer hands out the
    /// records before it, then fails with an error naming the mismatch each time it is asked,
    /// and never skips to the records after it (the fetch pipeline must not run past it).
    @Test func aCorruptBatchStopsItsPartitionWithAClearError() async throws {
        let (bootstrap, topic, config) = try await groupSetup("corrupt", partitions: 1)
        try await produce(100, to: topic, partitions: 1, bootstrap: bootstrap)

        var writer = RecordBatchWriter(allocator: ByteBufferAllocator(), capacity: 4096)
        for i in 0..<10 { writer.append(key: nil, value: Array("bad-\(i)".utf8), headers: [], timestamp: 1_700_000_000_000) }
        var batch = try writer.seal(codec: .none, producerID: -1, producerEpoch: -1, baseSequence: -1, allocator: ByteBufferAllocator())
        let last = batch.writerIndex - 1
        batch.setInteger(batch.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
        let client = try KafkaClient(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        let tp = TopicPartition(topic: topic, partition: 0)
        let response = try await client.send(
            ProduceRequest(acks: -1, timeoutMs: 10_000, topics: [.init(topic: topic, partitions: [.init(partition: 0, records: batch)])]),
            to: try await client.leader(for: tp))
        await client.close()
        let code = try #require(response.topics.first?.1.first?.errorCode)
        try #require(code == .none, "the broker refused the corrupt batch (\(code)); this test needs one that stores it")
        try await produce(50, to: topic, partitions: 1, bootstrap: bootstrap)

        let consumer = try KafkaConsumer(configuration: config, partitions: [tp], logger: logger)
        var offsets: [Int64] = []
        var failure: Error?
        while failure == nil && offsets.count <= 150 {
            do { offsets += try await consumer.nextBatch().map(\.offset) } catch { failure = error }
        }
        #expect(offsets == Array(0..<100), "records handed out: \(offsets.count), last \(String(describing: offsets.last))")
        #expect("\(String(describing: failure))".contains("CRC-32C mismatch"), "\(String(describing: failure))")
        await #expect(throws: KafkaError.self) { _ = try await consumer.nextBatch() }
        await consumer.close()
    }

    @Test func committedOffsetsResumeExactly() async throws {
        let (bootstrap, topic, config) = try await groupSetup("resume", partitions: 1)
        let group = config.groupID
        try await produce(100, to: topic, partitions: 1, bootstrap: bootstrap)
        let tp = TopicPartition(topic: topic, partition: 0)

        let first = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        var read: [Int64] = []
        for try await r in first.records {
            read.append(r.offset)
            if read.count == 40 { break }
        }
        try await first.commit(offsets: [tp: read.last! + 1])
        await first.close()
        #expect(read == Array(0..<40))

        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        #expect(try await admin.groupOffsets(group) == [tp: 40])
        await admin.close()

        let second = try KafkaConsumer(configuration: config, topics: [topic], logger: logger)
        var next: [Int64] = []
        for try await r in second.records {
            next.append(r.offset)
            if next.count == 60 { break }
        }
        await second.close()
        #expect(next == Array(40..<100))
    }

    @Test func manualAssignmentStartsFromLatestWhenAsked() async throws {
        let (bootstrap, topic, groupConfig) = try await groupSetup("latest", partitions: 1)
        var config = groupConfig
        // One batch per record: tansu 0.6 answers "latest" with the start of the last batch + 1
        // (TEST-INFRA.md), which equals the true end offset only for single-record batches.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        for i in 0..<10 { try await producer.send(topic: topic, key: nil, value: Array("old-\(i)".utf8)) }
        await producer.close()
        config.autoOffsetReset = .latest
        let consumer = try KafkaConsumer(configuration: config, partitions: [TopicPartition(topic: topic, partition: 0)], logger: logger)
        try await consumer.waitForAssignment(timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(300))
        try await produce(1, to: topic, partitions: 1, bootstrap: bootstrap)
        var it = consumer.records.makeAsyncIterator()
        let r = try #require(try await it.next())
        await consumer.close()
        #expect(r.offset == 10 && r.value == Array("0".utf8))
    }
}
