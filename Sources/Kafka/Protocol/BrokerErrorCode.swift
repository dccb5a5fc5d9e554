/// A Kafka protocol error code (Kafka protocol guide, "Error Codes").
///
/// A struct over the raw value rather than a closed enum: brokers add codes over time and an
/// unknown one must still be reported, not rejected.
public struct BrokerErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    init(_ raw: Int16) { self.rawValue = raw }

    public static let none = BrokerErrorCode(0)
    public static let offsetOutOfRange = BrokerErrorCode(1)
    public static let corruptMessage = BrokerErrorCode(2)
    public static let unknownTopicOrPartition = BrokerErrorCode(3)
    public static let leaderNotAvailable = BrokerErrorCode(5)
    public static let notLeaderOrFollower = BrokerErrorCode(6)
    public static let requestTimedOut = BrokerErrorCode(7)
    public static let networkException = BrokerErrorCode(13)
    public static let coordinatorLoadInProgress = BrokerErrorCode(14)
    public static let coordinatorNotAvailable = BrokerErrorCode(15)
    public static let notCoordinator = BrokerErrorCode(16)
    public static let notEnoughReplicas = BrokerErrorCode(19)
    public static let notEnoughReplicasAfterAppend = BrokerErrorCode(20)
    public static let illegalGeneration = BrokerErrorCode(22)
    public static let inconsistentGroupProtocol = BrokerErrorCode(23)
    public static let unknownMemberID = BrokerErrorCode(25)
    public static let rebalanceInProgress = BrokerErrorCode(27)
    public static let unsupportedVersion = BrokerErrorCode(35)
    public static let topicAlreadyExists = BrokerErrorCode(36)
    public static let outOfOrderSequenceNumber = BrokerErrorCode(45)
    public static let duplicateSequenceNumber = BrokerErrorCode(46)
    public static let invalidProducerEpoch = BrokerErrorCode(47)
    public static let unknownProducerID = BrokerErrorCode(59)
    public static let memberIDRequired = BrokerErrorCode(79)
    public static let fencedInstanceID = BrokerErrorCode(82)

    static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR", 0: "NONE", 1: "OFFSET_OUT_OF_RANGE", 2: "CORRUPT_MESSAGE",
        3: "UNKNOWN_TOPIC_OR_PARTITION", 4: "INVALID_FETCH_SIZE", 5: "LEADER_NOT_AVAILABLE",
        6: "NOT_LEADER_OR_FOLLOWER", 7: "REQUEST_TIMED_OUT", 10: "MESSAGE_TOO_LARGE",
        13: "NETWORK_EXCEPTION", 14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE",
        16: "NOT_COORDINATOR", 17: "INVALID_TOPIC_EXCEPTION", 19: "NOT_ENOUGH_REPLICAS",
        20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", 22: "ILLEGAL_GENERATION", 23: "INCONSISTENT_GROUP_PROTOCOL",
        25: "UNKNOWN_MEMBER_ID", 26: "INVALID_SESSION_TIMEOUT", 27: "REBALANCE_IN_PROGRESS",
        29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED", 35: "UNSUPPORTED_VERSION",
        36: "TOPIC_ALREADY_EXISTS", 37: "INVALID_PARTITIONS", 38: "INVALID_REPLICATION_FACTOR",
        41: "NOT_CONTROLLER", 42: "INVALID_REQUEST", 45: "OUT_OF_ORDER_SEQUENCE_NUMBER",
        46: "DUPLICATE_SEQUENCE_NUMBER", 47: "INVALID_PRODUCER_EPOCH", 59: "UNKNOWN_PRODUCER_ID",
        76: "UNSUPPORTED_COMPRESSION_TYPE", 79: "MEMBER_ID_REQUIRED", 82: "FENCED_INSTANCE_ID",
    ]

    public var description: String { "\(Self.names[rawValue] ?? "UNKNOWN") (\(rawValue))" }

    /// Retriable per the protocol guide's table: the same request may succeed later.
    public var isRetriable: Bool {
        [2, 3, 5, 6, 7, 13, 14, 15, 16, 19, 20].contains(rawValue)
    }
}
