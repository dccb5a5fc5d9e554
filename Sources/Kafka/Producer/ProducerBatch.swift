import NIOCore

/// One partition's batch inside the producer: the records, their delivery callbacks, and once
/// sealed, the exact bytes (and sequence number) that every retry resends.
struct ProducerBatch {
    typealias Delivery = @Sendable (Result<RecordMetadata, KafkaError>) -> Void

    /// Unique within the producer, so a response finds its batch wherever it is in the queue.
    let id: UInt64
    let partition: TopicPartition
    var writer: RecordBatchWriter
    /// Callbacks of the records that asked for one, by record index (most bulk records do not).
    var deliveries: [(index: Int32, delivery: Delivery)] = []
    let created: ContinuousClock.Instant
    var sealed: ByteBuffer?
    /// The producer id the sealed bytes carry: a batch sealed under an older identity is resealed.
    var sealedProducerID: Int64 = -1
    var inFlight = false
    var attempts = 0
    var retryAt: ContinuousClock.Instant
    var lastError: KafkaError?

    init(id: UInt64, partition: TopicPartition, capacity: Int, now: ContinuousClock.Instant) {
        self.id = id
        self.partition = partition
        self.writer = RecordBatchWriter(allocator: ByteBufferAllocator(), capacity: capacity)
        self.created = now
        self.retryAt = now
    }

    var recordCount: Int { Int(writer.count) }
}
