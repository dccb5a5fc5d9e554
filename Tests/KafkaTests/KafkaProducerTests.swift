import Foundation
import Kafka
import Testing
import TestSupport

@Suite struct KafkaProducerTests {
    let logger = KafkaTestContext.logger

    @Test func sendAwaitsDeliveryAndReturnsConsecutiveOffsets() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("send")
        try await KafkaTestContext.createTopic(topic, partitions: 1, bootstrap: bootstrap)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], linger: .milliseconds(1)), logger: logger)
        var offsets: [Int64] = []
        for i in 0..<5 {
            let meta = try await producer.send(topic: topic, key: nil, value: Array("v\(i)".utf8))
            #expect(meta.partition == 0 && meta.topic == topic)
            offsets.append(meta.offset)
        }
        await producer.close()
        #expect(offsets == Array(offsets[0]..<(offsets[0] + 5)))
    }

    @Test func producesAndConsumesOneMillionRecords() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("million")
        let partitions: Int32 = 4
        let total = 1_000_000
        try await KafkaTestContext.createTopic(topic, partitions: partitions, bootstrap: bootstrap)
        var config = KafkaProducerConfiguration(bootstrapServers: [bootstrap], linger: .milliseconds(5), batchSize: 256 * 1024)
        config.maxInFlightRequestsPerBroker = 8
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let tally = Tally()
        for i in 0..<total {
            try await producer.enqueue(topic: topic, key: nil, value: Array("record-\(i)".utf8),
                                       partition: Int32(i % Int(partitions)), onDelivery: tally.record)
        }
        await producer.flush()
        await producer.close()
        #expect(tally.ok == total, "failures: \(tally.failed.prefix(3))")

        let tps = (0..<partitions).map { TopicPartition(topic: topic, partition: $0) }
        let consumer = try KafkaConsumer(configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
                                         partitions: tps, logger: logger)
        var seen = [Bool](repeating: false, count: total)
        var count = 0
        var duplicates = 0
        var lastOffset: [Int32: Int64] = [:]
        var ordered = true
        while count < total {
            let batch = try await consumer.nextBatch()
            if batch.isEmpty { break }
            for r in batch {
                let index = Int(String(decoding: r.value.dropFirst(7), as: UTF8.self)) ?? -1
                guard (0..<total).contains(index) else { continue }
                if seen[index] { duplicates += 1 } else { seen[index] = true; count += 1 }
                if let last = lastOffset[r.partition], r.offset != last + 1 { ordered = false }
                lastOffset[r.partition] = r.offset
                if index % Int(partitions) != Int(r.partition) { ordered = false }
            }
        }
        await consumer.close()
        #expect(count == total)
        #expect(duplicates == 0)
        #expect(ordered)
    }

    @Test func snappyBatchesRoundTripThroughTheBroker() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("snappy")
        try await KafkaTestContext.createTopic(topic, partitions: 1, bootstrap: bootstrap)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], compression: .snappy), logger: logger)
        let values = (0..<2000).map { Array("compressible value \($0 % 10) \(String(repeating: "z", count: $0 % 300))".utf8) }
        let tally = Tally()
        for v in values { try await producer.enqueue(topic: topic, key: nil, value: v, onDelivery: tally.record) }
        await producer.close()
        #expect(tally.ok == values.count)
        let consumer = try KafkaConsumer(configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
                                         partitions: [TopicPartition(topic: topic, partition: 0)], logger: logger)
        var got: [[UInt8]] = []
        for try await r in consumer.records {
            got.append(r.value)
            if got.count == values.count { break }
        }
        await consumer.close()
        #expect(got == values)
    }

    @Test func brokerRestartLosesNothingAndWritesNoDuplicates() async throws {
        let broker = try KafkaTestBroker(durable: true)
        defer { broker.stop() }
        let topic = KafkaTestContext.unique("restart")
        try await KafkaTestContext.createTopic(topic, partitions: 2, bootstrap: broker.bootstrap)
        var config = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrap], linger: .milliseconds(5))
        config.retryBackoff = .milliseconds(200)
        config.requestTimeout = .seconds(5)
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let tally = Tally()
        let total = 6000
        for i in 0..<total {
            if i == total / 2 {
                // Batches in flight during the restart fail and are retried with their original
                // sequence numbers: nothing may be lost and nothing written twice.
                try broker.restart()
            }
            try await producer.enqueue(topic: topic, key: Array("k\(i)".utf8), value: Array("\(i)".utf8), onDelivery: tally.record)
            if i % 100 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        await producer.flush()
        await producer.close()
        #expect(tally.ok == total, "failures: \(tally.failed.prefix(3))")

        let consumer = try KafkaConsumer(
            configuration: KafkaTestContext.consumerConfiguration(broker.bootstrap, group: KafkaTestContext.unique("g")),
            partitions: [0, 1].map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        var counts = [Int](repeating: 0, count: total)
        var seen = 0
        // Read until nothing new arrives for a while (bounded: a loss must fail, not hang).
        var quiet = 0
        while quiet < 4 {
            let batch = try await consumer.nextBatchIfAny()
            quiet = batch.isEmpty ? quiet + 1 : 0
            for r in batch {
                if let i = Int(String(decoding: r.value, as: UTF8.self)), (0..<total).contains(i) { counts[i] += 1 }
            }
        }
        await consumer.close()
        seen = counts.filter { $0 > 0 }.count
        #expect(seen == total, "records lost across the restart: \(total - seen)")
        #expect(counts.allSatisfy { $0 <= 1 }, "duplicates written across the restart")
    }
}

extension KafkaConsumer {
    /// Whatever one more fetch brings, without waiting for records that may never come.
    func nextBatchIfAny() async throws -> [ConsumerRecord] {
        try await withThrowingTaskGroup(of: [ConsumerRecord].self) { group in
            group.addTask { try await self.nextBatch() }
            group.addTask { try await Task.sleep(for: .seconds(1)); return [] }
            let first = try await group.next() ?? []
            group.cancelAll()
            return first
        }
    }
}
