import NIOCore

/// One partition's batch inside the producer: the records, their delivery callbacks, and once
/// sealed, the exact bytes (and sequence number) that every retry resends.
struct ProducerBatch {
    typealias Delivery = @Sendable (Result<RecordMetadata, KafkaError>) -> Void

    let partition: TopicPartition
    var writer: RecordBatchWriter
    var deliveries: [Delivery?] = []
    let created: ContinuousClock.Instant
    var sealed: ByteBuffer?
    var attempts = 0
    var retryAt: ContinuousClock.Instant
    var lastError: KafkaError?

    init(partition: TopicPartition, capacity: Int, now: ContinuousClock.Instant) {
        self.partition = partition
        self.writer = RecordBatchWriter(allocator: ByteBufferAllocator(), capacity: capacity)
        self.created = now
        self.retryAt = now
    }

    var recordCount: Int { Int(writer.count) }
}
