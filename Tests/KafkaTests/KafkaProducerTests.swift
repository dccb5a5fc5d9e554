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
        let delivered = Counter()
        // Values are the record's index as 4 big-endian bytes: cheap to build and check in a
        // debug build, where string formatting of a million records dominated this test.
        func value(_ i: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: i >> 24), UInt8(truncatingIfNeeded: i >> 16), UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i)] }
        // The bulk path, in slices (one actor hop per slice); ordering and delivery reports are
        // those of record-by-record `enqueue`, which the other tests exercise.
        for slice in stride(from: 0, to: total, by: 10_000) {
            var records: [ProducerRecord] = []
            records.reserveCapacity(10_000)
            for i in slice..<min(slice + 10_000, total) {
                records.append(ProducerRecord(topic: topic, key: nil, value: value(i), partition: Int32(i % Int(partitions))))
            }
            try await producer.enqueue(records, onDelivery: delivered.record)
        }
        await producer.flush()
        let stats = await producer.statistics
        await producer.close()
        #expect(delivered.ok == total && delivered.failed == 0)
        #expect(stats.recordsDelivered == total && stats.recordsFailed == 0)
        // Up to 8 requests in flight: if one overtook another on the wire (they were once sent
        // from separate tasks), the broker refused its sequence numbers and the producer reset
        // its id. A healthy broker must never see that.
        #expect(stats.producerIDResets == 0 && stats.retriedBatches == 0, "\(stats)")

        let tps = (0..<partitions).map { TopicPartition(topic: topic, partition: $0) }
        let consumer = try KafkaConsumer(configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
                                         partitions: tps, logger: logger)
        var seen = [Bool](repeating: false, count: total)
        var count = 0
        var duplicates = 0
        var foreign = 0
        var lastOffset: [Int64] = Array(repeating: -1, count: Int(partitions))
        var ordered = true
        while count < total {
            let batch = try await consumer.nextBatch()
            if batch.isEmpty { break }
            for r in batch {
                let v = r.value
                guard v.count == 4 else { foreign += 1; continue }
                let index = Int(v[0]) << 24 | Int(v[1]) << 16 | Int(v[2]) << 8 | Int(v[3])
                guard index < total else { foreign += 1; continue }
                if seen[index] { duplicates += 1 } else { seen[index] = true; count += 1 }
                let p = Int(r.partition)
                if lastOffset[p] >= 0 && r.offset != lastOffset[p] + 1 { ordered = false }
                lastOffset[p] = r.offset
                if index % Int(partitions) != p { ordered = false }
            }
        }
        await consumer.close()
        #expect(count == total)
        #expect(duplicates == 0 && foreign == 0)
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

    /// A broker restart mid-stream as a client lives it: requests the broker has written whose
    /// replies never arrive, connections reset, a broker away and back (durable storage). The
    /// producer must resend exactly what was unacknowledged, and idempotence must keep the
    /// resent batches from being written twice.
    ///
    /// Clients reach the broker only through `cut_proxy.py`: it drops the broker's replies for
    /// 1 s, resets every connection and refuses new ones while the broker restarts. The broker
    /// then has no client left, so SIGTERM stops it cleanly. (Killed with SIGKILL instead,
    /// tansu 0.6 on S3 storage was seen to lose batches it had acknowledged: a broker
    /// durability fault no client can make up for, and not what this test is about.)
    @Test func brokerRestartMidStreamLosesNothingAndWritesNoDuplicates() async throws {
        let proxyPort = try LoopbackPort.free()
        let broker = try KafkaTestBroker(durable: true, advertisedPort: proxyPort)
        defer { broker.stop() }
        let proxy = ManagedProcess(executable: try TestEnvironment.python(),
                                   arguments: [TestEnvironment.oracle("kafka/cut_proxy.py"), "\(proxyPort)", "\(broker.port)", "1", "60"],
                                   label: "cut-proxy")
        try proxy.start()
        defer { proxy.stop(signal: SIGKILL) }
        try LoopbackPort.waitUntilOpen(proxyPort)
        let bootstrap = "127.0.0.1:\(proxyPort)"
        let topic = KafkaTestContext.unique("restart")
        try await KafkaTestContext.createTopic(topic, partitions: 2, bootstrap: bootstrap)
        var config = KafkaProducerConfiguration(bootstrapServers: [bootstrap], linger: .milliseconds(2), batchSize: 4096)
        config.retryBackoff = .milliseconds(200)
        config.requestTimeout = .seconds(5)
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let tally = Tally()
        let total = 12_000
        // A steady stream (small batches, several in flight per partition) that keeps running
        // while the broker goes away and comes back.
        let stream = Task {
            for i in 0..<total {
                try await producer.enqueue(topic: topic, key: Array("k\(i)".utf8), value: Array("\(i)".utf8), onDelivery: tally.record)
                if i % 40 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
        }
        try await KafkaTestContext.eventually(.seconds(30), "first deliveries") { tally.ok >= 1500 }
        let beforeRestart = await producer.statistics
        proxy.send(signal: SIGUSR1)
        try await KafkaTestContext.eventually(.seconds(10), "the proxy cut every connection") { proxy.logTail().contains("cut") }
        let graceful = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, Error>) in
            // restart() blocks while the broker stops; keep it off the cooperative pool.
            Thread { c.resume(with: Result { try broker.restart(grace: 20) }) }.start()
        }
        #expect(graceful, "the broker did not stop on SIGTERM within 20 s: that is a crash, not a restart\n\(broker.broker.logTail())")
        proxy.send(signal: SIGUSR2)
        try await stream.value
        await producer.flush()
        let stats = await producer.statistics
        await producer.close()
        #expect(beforeRestart.retriedBatches == 0)
        #expect(tally.ok == total, "failures: \(tally.failed.prefix(3))")
        #expect(tally.ok > beforeRestart.recordsDelivered, "records were still being produced when the broker restarted")
        // Batches whose replies were lost were resent (same bytes, same sequence numbers):
        // without this the test would not have exercised the idempotent retry.
        #expect(stats.retriedBatches > 0, "no batch was retried: \(stats)")
        #expect(stats.recordsDelivered == total && stats.recordsFailed == 0)

        let consumer = try KafkaConsumer(
            configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
            partitions: [0, 1].map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        var counts = [Int](repeating: 0, count: total)
        // Read until nothing new arrives for a while (bounded: a loss must fail, not hang).
        var quiet = 0
        while quiet < 3 {
            let batch = try await consumer.nextBatchIfAny()
            quiet = batch.isEmpty ? quiet + 1 : 0
            for r in batch {
                if let i = Int(String(decoding: r.value, as: UTF8.self)), (0..<total).contains(i) { counts[i] += 1 }
            }
        }
        await consumer.close()
        let lost = counts.indices.filter { counts[$0] == 0 }
        let duplicated = counts.indices.filter { counts[$0] > 1 }
        #expect(lost.isEmpty, "records lost across the restart: \(lost.count), e.g. \(lost.prefix(5)); \(stats)")
        #expect(duplicated.isEmpty, "records written twice across the restart: \(duplicated.count), e.g. \(duplicated.prefix(5)); \(stats)")
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
