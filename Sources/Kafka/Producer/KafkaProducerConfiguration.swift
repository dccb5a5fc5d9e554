/// How a `KafkaProducer` batches, acknowledges and retries.
public struct KafkaProducerConfiguration: Sendable {
    /// Which replicas must have a record before the broker acknowledges it.
    public enum Acks: Int16, Sendable {
        /// The leader only.
        case leader = 1
        /// All in-sync replicas (required for idempotence).
        case all = -1
    }

    public var bootstrapServers: [String]
    public var clientID: String = "cryptoviz-producer"
    public var acks: Acks
    /// Idempotent produce (KIP-98): a producer id and per-partition sequence numbers let the
    /// broker drop retried duplicates. Requires `acks == .all`.
    public var idempotent: Bool
    /// How long a partition's batch waits for more records before it is sent.
    public var linger: Duration
    /// A batch is sent once its uncompressed records reach this many bytes.
    public var batchSize: Int
    public var compression: CompressionCodec
    /// Produce requests in flight per broker connection; each carries at most one batch per
    /// partition, and an idempotent producer keeps at most 5 batches of a partition in flight
    /// (the broker deduplicates only the last 5 per producer and partition, KIP-98).
    public var maxInFlightRequestsPerBroker: Int = 5
    public var retryBackoff: Duration = .milliseconds(100)
    /// A record that could not be delivered within this time fails with `.deliveryFailed`.
    public var deliveryTimeout: Duration = .seconds(120)
    public var requestTimeout: Duration = .seconds(30)
    /// Bytes buffered before `send`/`enqueue` wait for deliveries (backpressure).
    public var bufferMemory: Int = 64 << 20

    public init(bootstrapServers: [String], acks: Acks = .all, idempotent: Bool = true,
                linger: Duration = .milliseconds(10), batchSize: Int = 16384, compression: CompressionCodec = .none) {
        self.bootstrapServers = bootstrapServers
        self.acks = acks
        self.idempotent = idempotent
        self.linger = linger
        self.batchSize = batchSize
        self.compression = compression
    }

    var clientConfiguration: KafkaClientConfiguration {
        var c = KafkaClientConfiguration(bootstrapServers: bootstrapServers)
        c.clientID = clientID
        c.requestTimeout = requestTimeout
        // Waiting for a connection longer than a record may wait for delivery would hold the
        // batch (and the caller's flush) past its delivery timeout: a batch that never got a
        // connection was not sent, so it can fail at its deadline without any doubt.
        c.connectTimeout = min(c.connectTimeout, deliveryTimeout)
        return c
    }
}

/// Where a produced record landed.
public struct RecordMetadata: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The record's offset; -1 when the broker reported the batch as an already-written duplicate
    /// without its offset.
    public var offset: Int64
}
