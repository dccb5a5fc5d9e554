/// One record for `KafkaProducer.enqueue(_:onDelivery:)`, the bulk path that queues many records
/// in one call (one actor hop per slice instead of per record).
public struct ProducerRecord: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch; the time of the `enqueue` call when nil.
    public var timestamp: Int64?
    /// An explicit partition; murmur2 of the key when nil (random without a key).
    public var partition: Int32?

    public init(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
                timestamp: Int64? = nil, partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.partition = partition
    }
}
