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

    /// Whether new records may still go into this batch (not yet sent, not full).
    func accepts(batchSize: Int) -> Bool { sealed == nil && !inFlight && writer.byteCount < batchSize }

    /// Readies the batch to go out and marks it in flight; returns the bytes to send. It is
    /// sealed unless it already is under `producerID` (a retry resends the same bytes); when
    /// idempotent it takes its sequence numbers from `nextSequence`. The old sealed bytes are
    /// dropped before sealing again, so an uncompressed batch's buffer is rewritten in place.
    mutating func prepareToSend(codec: CompressionCodec, producerID: Int64, producerEpoch: Int16,
                                idempotent: Bool, nextSequence: inout Int32) throws -> ByteBuffer {
        if sealed == nil || (idempotent && sealedProducerID != producerID) {
            var base: Int32 = -1
            if idempotent {
                base = nextSequence
                let next = Int64(base) + Int64(writer.count)
                nextSequence = next > Int64(Int32.max) ? Int32(next - Int64(Int32.max) - 1) : Int32(next)
            }
            sealed = nil
            sealed = try writer.seal(codec: codec, producerID: producerID, producerEpoch: producerEpoch,
                                     baseSequence: base, allocator: ByteBufferAllocator())
            sealedProducerID = producerID
        }
        inFlight = true
        return sealed!
    }

    /// Encodes one record into the batch; returns the bytes it added.
    ///
    /// A mutating method, so that callers reach the batch in place through `queue[i]`: appending
    /// through a copied-out batch would find `deliveries` shared and copy it on every record.
    mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64, delivery: Delivery?) -> Int {
        let before = writer.byteCount
        if let delivery { deliveries.append((writer.count, delivery)) }
        writer.append(key: key, value: value, headers: headers, timestamp: timestamp)
        return writer.byteCount - before
    }
}
