import Testing
import TestSupport
@testable import Kafka

/// Fetch requests rotate their partitions, so that a broker filling a response's byte budget in
/// request order (KIP-74) cannot serve the first partitions only.
@Suite struct KafkaConsumerFetchOrderTests {
    let logger = KafkaTestContext.logger

    @Test func requestOrderIsSortedThenRotatedOnePlacePerFetch() {
        let tps = [TopicPartition(topic: "t", partition: 2), TopicPartition(topic: "t", partition: 0),
                   TopicPartition(topic: "t", partition: 1)]
        func order(_ rotation: UInt64) -> [Int32] { KafkaConsumer.requestOrder(tps, rotation: rotation).map(\.partition) }
        #expect(order(0) == [0, 1, 2])
        #expect(order(1) == [1, 2, 0])
        #expect(order(2) == [2, 0, 1])
        #expect(order(4) == [1, 2, 0])
        #expect(KafkaConsumer.requestOrder([], rotation: 7).isEmpty)
    }

    @Test func partitionsAreGroupedByTopicInOrderOfFirstAppearance() {
        let tps = [TopicPartition(topic: "b", partition: 1), TopicPartition(topic: "a", partition: 0),
                   TopicPartition(topic: "b", partition: 0)]
        let groups = KafkaConsumer.groupedByTopic(tps)
        #expect(groups.map(\.0) == ["b", "a"])
        #expect(groups.map { $0.1.map(\.partition) } == [[1, 0], [0]])
    }

    /// With a budget of one byte the broker answers one batch, from the first partition of the
    /// request that has one: a fixed order would drain partition 0 before the others.
    @Test func aSmallFetchBudgetStillServesEveryPartitionInTurn() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("rotation")
        try await KafkaTestContext.createTopic(topic, partitions: 3, bootstrap: bootstrap)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], linger: .milliseconds(1)), logger: logger)
        for round in 0..<5 {
            for partition in Int32(0)..<3 {
                try await producer.enqueue(topic: topic, key: nil, value: Array("\(round)".utf8), partition: partition)
            }
            await producer.flush()  // one batch per partition and round
        }
        await producer.close()

        var config = KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("group"))
        config.fetchMaxBytes = 1
        config.maxPartitionFetchBytes = 1
        let consumer = try KafkaConsumer(configuration: config,
                                         partitions: (0..<3).map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        var order: [Int32] = []
        var total = 0
        while total < 15 {
            let batch = try await consumer.nextBatch()
            total += batch.count
            order += batch.map(\.partition)
        }
        await consumer.close()
        #expect(total == 15)
        #expect(Set(order.prefix(3)) == [0, 1, 2], "partitions in delivery order: \(order)")
    }
}
