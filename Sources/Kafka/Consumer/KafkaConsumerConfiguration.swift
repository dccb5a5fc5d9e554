/// How a `KafkaConsumer` joins its group and fetches.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where to start when a partition has no committed offset (or it is out of range).
    public enum OffsetReset: Sendable { case earliest, latest }

    public var bootstrapServers: [String]
    /// The consumer group; also where manual-assignment consumers commit.
    public var groupID: String
    public var clientID: String = "cryptoviz-consumer"
    /// The coordinator evicts a member that has not sent a heartbeat for this long.
    public var sessionTimeout: Duration = .seconds(10)
    public var heartbeatInterval: Duration = .seconds(1)
    /// How long the coordinator waits for all members to rejoin during a rebalance.
    public var rebalanceTimeout: Duration = .seconds(30)
    public var autoOffsetReset: OffsetReset = .earliest
    /// The leader's partition assignment strategy (classic consumer protocol).
    public var assignor: PartitionAssignor = .range
    public var fetchMinBytes: Int32 = 1
    public var fetchMaxBytes: Int32 = 50 << 20
    public var maxPartitionFetchBytes: Int32 = 1 << 20
    public var fetchMaxWait: Duration = .milliseconds(500)
    public var requestTimeout: Duration = .seconds(30)
    public var retryBackoff: Duration = .milliseconds(100)

    public init(bootstrapServers: [String], groupID: String, sessionTimeout: Duration = .seconds(10),
                heartbeatInterval: Duration? = nil, autoOffsetReset: OffsetReset = .earliest,
                assignor: PartitionAssignor = .range) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.sessionTimeout = sessionTimeout
        self.heartbeatInterval = heartbeatInterval ?? sessionTimeout / 10
        self.autoOffsetReset = autoOffsetReset
        self.assignor = assignor
    }

    var clientConfiguration: KafkaClientConfiguration {
        var c = KafkaClientConfiguration(bootstrapServers: bootstrapServers)
        c.clientID = clientID
        c.requestTimeout = requestTimeout
        return c
    }
}
