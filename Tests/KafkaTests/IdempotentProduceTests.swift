import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Kafka

/// The broker side of idempotence (KIP-98), checked at the protocol level: a batch resent with
/// the same producer id and sequence numbers, as the producer does when an acknowledgement is
/// lost, must not be written twice. This is the property the producer's retries rely on.
@Suite struct IdempotentProduceTests {
    let logger = KafkaTestContext.logger

    func batch(_ values: [String], producerID: Int64, epoch: Int16, sequence: Int32) throws -> ByteBuffer {
        var writer = RecordBatchWriter(allocator: ByteBufferAllocator(), capacity: 1024)
        for v in values { writer.append(key: nil, value: Array(v.utf8), headers: [], timestamp: 1_700_000_000_000) }
        return try writer.seal(codec: .none, producerID: producerID, producerEpoch: epoch, baseSequence: sequence,
                               allocator: ByteBufferAllocator())
    }

    func produce(_ client: KafkaClient, _ records: ByteBuffer, topic: String) async throws -> ProduceRequest.PartitionResponse {
        let leader = try await client.leader(for: TopicPartition(topic: topic, partition: 0))
        let response = try await client.send(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [
            .init(topic: topic, partitions: [.init(partition: 0, records: records)])]), to: leader)
        return try #require(response.topics.first?.1.first)
    }

    @Test func aResentBatchWithTheSameSequenceIsWrittenOnce() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("dedupe")
        try await KafkaTestContext.createTopic(topic, partitions: 1, bootstrap: bootstrap)
        let client = try KafkaClient(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        let id = try await client.send(InitProducerIDRequest(transactionTimeoutMs: 60000), to: nil)
        #expect(id.errorCode == .none && id.producerID >= 0)

        let first = try batch(["a", "b", "c"], producerID: id.producerID, epoch: id.epoch, sequence: 0)
        let written = try await produce(client, first, topic: topic)
        #expect(written.errorCode == .none)
        // The same bytes again: what the producer sends when the first acknowledgement was lost.
        let resent = try await produce(client, first, topic: topic)
        #expect(resent.errorCode == .none || resent.errorCode == .duplicateSequenceNumber,
                "a resent batch must be acknowledged as already written, got \(resent.errorCode)")
        if resent.errorCode == .none { #expect(resent.baseOffset == written.baseOffset) }
        let next = try await produce(client, try batch(["d"], producerID: id.producerID, epoch: id.epoch, sequence: 3), topic: topic)
        #expect(next.errorCode == .none)
        await client.close()

        let consumer = try KafkaConsumer(
            configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
            partitions: [TopicPartition(topic: topic, partition: 0)], logger: logger)
        var values: [String] = []
        while values.count < 4 {
            let got = try await consumer.nextBatchIfAny()
            if got.isEmpty { break }
            values += got.map { String(decoding: $0.value, as: UTF8.self) }
        }
        // One more quiet fetch, so that a duplicate written after "d" would be seen too.
        values += try await consumer.nextBatchIfAny().map { String(decoding: $0.value, as: UTF8.self) }
        await consumer.close()
        #expect(values == ["a", "b", "c", "d"])
    }
}
