import Kafka
import Logging
import Synchronization

/// The distributed bus: topics on a Kafka-compatible broker (Redpanda, Apache Kafka), through
/// the project's own Kafka client. Publishing waits for acks=all from an idempotent producer.
public final class KafkaBus: Bus {
    public struct Configuration: Sendable {
        public var bootstrapServers: [String]
        public var replicationFactor: Int16 = 1
        public var sessionTimeout: Duration = .seconds(6)
        public var compression: CompressionCodec = .snappy
        public var linger: Duration = .milliseconds(10)
        /// Uncompressed bytes per partition batch. A publish of 2 000 ticks puts about 200 KB on
        /// each partition; at Java's 16 KiB that was a dozen requests in turn, each a broker
        /// round trip. Half of the 1 MB a broker accepts per batch by default (`message.max.bytes`),
        /// so a batch fits even uncompressed.
        public var batchSize: Int = 512 << 10
        /// How long the producer retries a record (Kafka's `delivery.timeout.ms`).
        public var deliveryTimeout: Duration = .seconds(120)
        public init(bootstrapServers: [String]) { self.bootstrapServers = bootstrapServers }
    }

    public let configuration: Configuration
    private let producer: KafkaProducer
    private let admin: KafkaAdmin
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var producerConfiguration = KafkaProducerConfiguration(
            bootstrapServers: configuration.bootstrapServers, acks: .all, idempotent: true,
            linger: configuration.linger, batchSize: configuration.batchSize, compression: configuration.compression)
        producerConfiguration.deliveryTimeout = configuration.deliveryTimeout
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: configuration.bootstrapServers), logger: logger)
    }

    public func ensureTopics(_ topics: [String], partitions: Int) async throws {
        try await admin.createTopics(topics.map {
            NewTopic(name: $0, partitions: Int32(partitions), replicationFactor: configuration.replicationFactor)
        })
    }

    public func publish(_ messages: consuming [OutgoingMessage]) async throws {
        let failures = Mutex<[KafkaError]>([])
        // One actor hop for the whole batch, not one per message.
        let records = messages.map {
            ProducerRecord(topic: $0.topic, key: $0.key, value: $0.value, timestamp: $0.timestampMillis)
        }
        try await producer.enqueue(records) { result in
            if case .failure(let error) = result { failures.withLock { $0.append(error) } }
        }
        await producer.flush()
        let failed = failures.withLock { $0 }
        if let first = failed.first {
            throw PipelineError("\(failed.count) of \(messages.count) messages not delivered: \(first)")
        }
    }

    public func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: self.configuration.bootstrapServers, groupID: group,
            sessionTimeout: self.configuration.sessionTimeout, autoOffsetReset: .earliest)
        configuration.fetchMaxWait = .milliseconds(200)
        let logger = self.logger
        let consumer = try KafkaConsumer(
            configuration: configuration, topics: topics, logger: logger,
            onAssign: { partitions in
                do {
                    // Start offsets come from the group; the listener learns the lake's txn
                    // versions here and skips replays below them.
                    _ = try await listener.assigned(partitions.map { BusPartition(topic: $0.topic, partition: $0.partition) })
                } catch {
                    logger.error("assignment handling failed", metadata: ["error": "\(error)"])
                }
            },
            onRevoke: { partitions in
                do {
                    try await listener.revoked(partitions.map { BusPartition(topic: $0.topic, partition: $0.partition) })
                } catch {
                    logger.error("flush before revocation failed", metadata: ["error": "\(error)"])
                }
            })
        await consumer.start()
        return KafkaBusConsumer(consumer: consumer)
    }

    /// Committed offsets of `group` per partition, for lag reports.
    public func groupOffsets(_ group: String) async throws -> [BusPartition: Int64] {
        var result: [BusPartition: Int64] = [:]
        for (tp, offset) in try await admin.groupOffsets(group) {
            result[BusPartition(topic: tp.topic, partition: tp.partition)] = offset
        }
        return result
    }

    public func close() async {
        await producer.close()
        await admin.close()
    }
}

/// A `KafkaConsumer` seen as a `BusConsumer`.
///
/// A fetch hands over everything the consumer has buffered, which after a pause is far more
/// than a poll asks for (a benchmark saw batches of ~250 000 records and 1.1 GB resident);
/// what is beyond `maxRecords` waits here for the next poll, in order, so that the processor's
/// batches and memory stay what its configuration says.
struct KafkaBusConsumer: BusConsumer {
    let consumer: KafkaConsumer
    private let held = HeldRecords()

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    func poll(maxRecords: Int, maxWait: Duration) async throws -> [BusRecord] {
        let earlier = held.take(maxRecords)
        if !earlier.isEmpty { return earlier }
        let records = try await fetch(maxWait: maxWait)
        guard records.count > max(1, maxRecords) else { return records }
        held.keep(records[max(1, maxRecords)...])
        return Array(records[..<max(1, maxRecords)])
    }

    private func fetch(maxWait: Duration) async throws -> [BusRecord] {
        // nextBatch waits for records; racing it against the deadline keeps the processor's
        // time trigger alive on an idle topic. Records fetched by a cancelled wait stay buffered
        // in the consumer for the next call.
        let batch: [ConsumerRecord] = try await withThrowingTaskGroup(of: [ConsumerRecord]?.self) { group in
            group.addTask { try await consumer.nextBatch() }
            group.addTask {
                try await Task.sleep(for: maxWait)
                return nil
            }
            let first: [ConsumerRecord]?? = try await group.next()
            group.cancelAll()
            if case .some(.some(let records)) = first { return records }
            // The wait lost the race; the fetch may still have finished with records.
            let late: [ConsumerRecord]?? = try? await group.next()
            if case .some(.some(let records)) = late { return records }
            return []
        }
        return batch.map {
            BusRecord(partition: BusPartition(topic: $0.topic, partition: $0.partition), offset: $0.offset,
                      key: $0.key ?? [], value: $0.value, timestampMillis: $0.timestamp)
        }
    }

    /// Records fetched beyond a poll's `maxRecords`, oldest first.
    private final class HeldRecords: Sendable {
        private let records = Mutex<ArraySlice<BusRecord>>([])

        func take(_ count: Int) -> [BusRecord] {
            records.withLock { held in
                let taken = Array(held.prefix(max(1, count)))
                held.removeFirst(taken.count)
                if held.isEmpty { held = [] }
                return taken
            }
        }

        func keep(_ more: ArraySlice<BusRecord>) {
            records.withLock { $0.append(contentsOf: more) }
        }
    }

    func commit(_ nextOffsets: [BusPartition: Int64]) async throws {
        var offsets: [TopicPartition: Int64] = [:]
        for (bp, offset) in nextOffsets { offsets[TopicPartition(topic: bp.topic, partition: bp.partition)] = offset }
        try await consumer.commit(offsets: offsets)
    }

    func close() async {
        await consumer.close()
    }
}
