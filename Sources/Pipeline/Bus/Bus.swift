/// A message bus with Kafka's model: topics split into partitions, ordered offsets, consumer
/// groups with committed positions.
///
/// Two implementations: `InProcessBus` (embedded mode, one process, no service) and `KafkaBus`
/// (Redpanda/Kafka). The stream processor and the hot tail are written once against this.
public protocol Bus: Sendable {
    /// Creates the topics that are missing, with `partitions` partitions each.
    func ensureTopics(_ topics: [String], partitions: Int) async throws
    /// Appends the messages; returns once the bus holds them durably (acks=all on Kafka).
    func publish(_ messages: consuming [OutgoingMessage]) async throws
    /// Joins `group` for `topics`. The listener learns of assignments (and may choose start
    /// offsets) and of revocations (and must flush before returning).
    func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer
}

/// One member of a consumer group.
public protocol BusConsumer: Sendable {
    /// Up to `maxRecords` records, waiting at most `maxWait` for the first; empty when idle.
    func poll(maxRecords: Int, maxWait: Duration) async throws -> [BusRecord]
    /// Records the next offset to read per partition, for restart and lag monitoring.
    func commit(_ nextOffsets: [BusPartition: Int64]) async throws
    /// Leaves the group (revoking its partitions first).
    func close() async
}

/// Callbacks a consumer's owner gets when the group changes its partitions.
public struct RebalanceListener: Sendable {
    /// Called with newly assigned partitions; returns the offsets to start from where the
    /// owner knows better than the group's committed offsets (the lake's txn versions).
    public var assigned: @Sendable ([BusPartition]) async throws -> [BusPartition: Int64]
    /// Called before partitions are taken away: flush and commit what was read from them.
    public var revoked: @Sendable ([BusPartition]) async throws -> Void

    public init(
        assigned: @escaping @Sendable ([BusPartition]) async throws -> [BusPartition: Int64] = { _ in [:] },
        revoked: @escaping @Sendable ([BusPartition]) async throws -> Void = { _ in }
    ) {
        self.assigned = assigned
        self.revoked = revoked
    }
}

/// A topic and one of its partitions.
public struct BusPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: BusPartition, rhs: BusPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A message to publish; the bus picks the partition from the key.
public struct OutgoingMessage: Sendable {
    public var topic: String
    public var key: [UInt8]
    public var value: [UInt8]
    public var timestampMillis: Int64

    public init(topic: String, key: [UInt8], value: [UInt8], timestampMillis: Int64) {
        self.topic = topic
        self.key = key
        self.value = value
        self.timestampMillis = timestampMillis
    }
}

/// A message read from the bus, with its coordinates.
public struct BusRecord: Sendable {
    public var partition: BusPartition
    public var offset: Int64
    public var key: [UInt8]
    public var value: [UInt8]
    public var timestampMillis: Int64

    public init(partition: BusPartition, offset: Int64, key: [UInt8], value: [UInt8], timestampMillis: Int64) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMillis = timestampMillis
    }
}
