import Testing
@testable import Pipeline

@Suite struct InProcessBusTests {
    func message(_ key: String, _ value: String, topic: String = "t") -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: Array(key.utf8), value: Array(value.utf8), timestampMillis: 1)
    }

    @Test func sameKeyKeepsOrderInOnePartition() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics(["t"], partitions: 3)
        try await bus.publish((0..<100).map { message("bitcoin", "\($0)") })
        let consumer = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener())
        let records = try await consumer.poll(maxRecords: 1000, maxWait: .zero)
        #expect(records.count == 100)
        #expect(Set(records.map(\.partition)).count == 1)
        #expect(records.map { String(decoding: $0.value, as: UTF8.self) } == (0..<100).map(String.init))
        #expect(records.map(\.offset) == Array(0..<100))
    }

    @Test func committedOffsetsResumeForTheNextMember() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics(["t"], partitions: 1)
        try await bus.publish((0..<10).map { message("k", "\($0)") })
        let first = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener())
        let read = try await first.poll(maxRecords: 4, maxWait: .zero)
        try await first.commit([read[0].partition: read.last!.offset + 1])
        await first.close()
        let second = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener())
        let rest = try await second.poll(maxRecords: 100, maxWait: .zero)
        #expect(rest.map(\.offset) == Array(4..<10))
    }

    @Test func listenerOverridesStartOffsets() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics(["t"], partitions: 1)
        try await bus.publish((0..<10).map { message("k", "\($0)") })
        let consumer = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener(
            assigned: { partitions in [partitions[0]: 7] }))
        #expect(try await consumer.poll(maxRecords: 100, maxWait: .zero).map(\.offset) == [7, 8, 9])
    }

    @Test func startOffsetsContinueNumberingAfterRestart() async throws {
        var configuration = InProcessBus.Configuration()
        configuration.startOffsets = [BusPartition(topic: "t", partition: 0): 500]
        let bus = InProcessBus(configuration: configuration)
        try await bus.ensureTopics(["t"], partitions: 1)
        try await bus.publish([message("k", "x")])
        let consumer = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener())
        #expect(try await consumer.poll(maxRecords: 10, maxWait: .zero).map(\.offset) == [500])
    }

    @Test func fullBlockingTopicMakesPublisherWaitForCommits() async throws {
        var configuration = InProcessBus.Configuration()
        configuration.capacityPerPartition = 10
        let bus = InProcessBus(configuration: configuration)
        try await bus.ensureTopics(["t"], partitions: 1)
        let consumer = try await bus.consumer(group: "g", topics: ["t"], listener: RebalanceListener())
        let publisher = Task { try await bus.publish((0..<25).map { message("k", "\($0)") }) }
        var seen: [Int64] = []
        while seen.count < 25 {
            let records = try await consumer.poll(maxRecords: 5, maxWait: .milliseconds(100))
            if let last = records.last { try await consumer.commit([last.partition: last.offset + 1]) }
            seen += records.map(\.offset)
        }
        try await publisher.value
        #expect(seen == Array(0..<25), "nothing dropped, nothing reordered")
    }

    @Test func liveTopicDropsOldestWhenFull() async throws {
        var configuration = InProcessBus.Configuration()
        configuration.capacityPerPartition = 10
        let bus = InProcessBus(configuration: configuration)
        try await bus.ensureTopics([BusTopics.streaming], partitions: 1)
        try await bus.publish((0..<25).map { message("k", "\($0)", topic: BusTopics.streaming) })
        let consumer = try await bus.consumer(group: "g", topics: [BusTopics.streaming], listener: RebalanceListener())
        #expect(try await consumer.poll(maxRecords: 100, maxWait: .zero).map(\.offset) == Array(15..<25))
    }

    @Test func refusesUnknownTopic() async throws {
        let bus = InProcessBus()
        await #expect(throws: PipelineError.self) { try await bus.publish([message("k", "v", topic: "nope")]) }
    }
}
