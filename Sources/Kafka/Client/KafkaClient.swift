import Logging
import NIOCore
import NIOPosix

/// The cluster as seen by one client: a connection pool per broker, cached metadata
/// (partition leaders, coordinators), and request routing.
///
/// Dead connections are replaced on next use, with exponential backoff between attempts.
/// Requests themselves run outside the actor (`send` is nonisolated) so responses decode in
/// parallel; only bookkeeping is serialized here.
public actor KafkaClient {
    public let configuration: KafkaClientConfiguration
    let logger: Logger
    private let group: EventLoopGroup
    private var brokers: [Int32: String] = [:]
    private var connections: [String: BrokerConnection] = [:]
    private var connecting: [String: Task<BrokerConnection, Error>] = [:]
    private var leaders: [TopicPartition: Int32] = [:]
    private var partitionLists: [String: [Int32]] = [:]
    private var controllerID: Int32 = -1
    private var closed = false

    /// Creates a client; nothing connects until the first request.
    public init(configuration: KafkaClientConfiguration, logger: Logger) throws {
        guard !configuration.bootstrapServers.isEmpty else {
            throw KafkaError(.invalidArgument, "no bootstrap servers configured")
        }
        for server in configuration.bootstrapServers { _ = try Self.split(server) }
        self.configuration = configuration
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
    }

    static func split(_ address: String) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw KafkaError(.invalidArgument, "broker address '\(address)' is not host:port")
        }
        return (String(address[..<colon]), port)
    }

    // MARK: Connections

    func connection(address: String) async throws -> BrokerConnection {
        guard !closed else { throw KafkaError(.closed, "client closed") }
        if let existing = connections[address], existing.isActive { return existing }
        connections[address] = nil
        if let pending = connecting[address] { return try await pending.value }
        let (host, port) = try Self.split(address)
        let config = configuration
        let group = self.group
        let logger = self.logger
        let task = Task {
            try await Self.connectWithBackoff(host: host, port: port, configuration: config, group: group, logger: logger)
        }
        connecting[address] = task
        do {
            let connection = try await task.value
            connecting[address] = nil
            if closed {
                await connection.close()
                throw KafkaError(.closed, "client closed")
            }
            connections[address] = connection
            return connection
        } catch {
            connecting[address] = nil
            throw error
        }
    }

    private static func connectWithBackoff(host: String, port: Int, configuration: KafkaClientConfiguration,
                                           group: EventLoopGroup, logger: Logger) async throws -> BrokerConnection {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.connectTimeout
        var backoff = configuration.reconnectBackoff
        while true {
            do {
                return try await BrokerConnection.connect(
                    host: host, port: port, clientID: configuration.clientID, timeout: configuration.requestTimeout,
                    maximumFrameSize: configuration.maximumResponseSize, group: group)
            } catch let error as KafkaError where error.code == .connection && clock.now + backoff < deadline {
                logger.debug("reconnecting", metadata: ["broker": "\(host):\(port)", "error": "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.reconnectBackoffMax)
            }
        }
    }

    func connection(broker: Int32) async throws -> BrokerConnection {
        if brokers[broker] == nil { _ = try await refreshMetadata(topics: [], autoCreate: false) }
        guard let address = brokers[broker] else {
            throw KafkaError(.connection, "broker \(broker) is not in the cluster metadata")
        }
        return try await connection(address: address)
    }

    /// Any live connection, else the bootstrap servers (then known brokers) in turn.
    func anyConnection() async throws -> BrokerConnection {
        if let live = connections.values.first(where: { $0.isActive }) { return live }
        var lastError: Error = KafkaError(.connection, "no broker reachable")
        for address in configuration.bootstrapServers + brokers.values.sorted() {
            do { return try await connection(address: address) } catch { lastError = error }
        }
        throw lastError
    }

    /// Sends `request` to `broker` (nil: any broker), with the configured timeout plus `extraWait`
    /// for requests that block on the broker side (JoinGroup, Fetch).
    nonisolated func send<R: KafkaRequest>(_ request: R, to broker: Int32?, extraWait: Duration = .zero) async throws -> R.Response {
        let connection = if let broker { try await connection(broker: broker) } else { try await anyConnection() }
        return try await connection.send(request, timeout: configuration.requestTimeout + extraWait)
    }

    // MARK: Metadata

    /// Asks for metadata of `topics` (nil: all) and refreshes broker addresses and leaders.
    @discardableResult
    func refreshMetadata(topics: [String]?, autoCreate: Bool) async throws -> MetadataRequest.Response {
        let response = try await send(MetadataRequest(topics: topics, allowAutoTopicCreation: autoCreate), to: nil)
        for broker in response.brokers { brokers[broker.nodeID] = "\(broker.host):\(broker.port)" }
        controllerID = response.controllerID
        for topic in response.topics where topic.errorCode == .none {
            for p in topic.partitions {
                leaders[TopicPartition(topic: topic.name, partition: p.index)] = p.errorCode == .none || p.leader >= 0 ? p.leader : -1
            }
            partitionLists[topic.name] = topic.partitions.map(\.index).sorted()
        }
        return response
    }

    /// The partitions of `topic`, from cache or fresh metadata; throws when the topic does not exist.
    public func partitions(of topic: String, autoCreate: Bool = false) async throws -> [Int32] {
        if let cached = partitionLists[topic], !cached.isEmpty { return cached }
        let response = try await refreshMetadata(topics: [topic], autoCreate: autoCreate)
        guard let t = response.topics.first(where: { $0.name == topic }) else {
            throw KafkaError(.malformedResponse, "metadata response lacks topic \(topic)")
        }
        guard t.errorCode == .none, !t.partitions.isEmpty else {
            throw KafkaError.broker(t.errorCode == .none ? .leaderNotAvailable : t.errorCode, "metadata for topic \(topic)")
        }
        return partitionLists[topic] ?? []
    }

    /// The leader of `tp`; refreshes metadata when unknown.
    func leader(for tp: TopicPartition) async throws -> Int32 {
        if let leader = leaders[tp], leader >= 0 { return leader }
        try await refreshMetadata(topics: [tp.topic], autoCreate: false)
        guard let leader = leaders[tp], leader >= 0 else {
            throw KafkaError.broker(.leaderNotAvailable, "no leader for \(tp)")
        }
        return leader
    }

    /// Forgets cached leaders of `topic` after NOT_LEADER / UNKNOWN_TOPIC errors.
    func invalidate(topic: String) {
        leaders = leaders.filter { $0.key.topic != topic }
        partitionLists[topic] = nil
    }

    func controller() async throws -> Int32 {
        if controllerID < 0 { try await refreshMetadata(topics: [], autoCreate: false) }
        return controllerID
    }

    /// The coordinator broker of `group` (FindCoordinator), registered as a known broker.
    func coordinator(group: String) async throws -> Int32 {
        let response = try await send(FindCoordinatorRequest(key: group), to: nil)
        guard response.errorCode == .none else {
            throw KafkaError.broker(response.errorCode, "FindCoordinator for group \(group)")
        }
        brokers[response.nodeID] = "\(response.host):\(response.port)"
        return response.nodeID
    }

    /// Closes every connection at once, without any goodbye; used by `close()` and to
    /// simulate a crashed client in tests.
    public func close() async {
        closed = true
        let all = Array(connections.values)
        connections.removeAll()
        for task in connecting.values { task.cancel() }
        for c in all { await c.close() }
    }

    /// Earliest (-2) or latest (-1) offsets, or the first offset at a timestamp, per partition.
    public func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) async throws -> [TopicPartition: Int64] {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in partitions { byLeader[try await leader(for: tp), default: []].append(tp) }
        var result: [TopicPartition: Int64] = [:]
        for (broker, tps) in byLeader {
            let topics = Dictionary(grouping: tps, by: \.topic).map { ($0.key, $0.value.map { (partition: $0.partition, timestamp: timestamp) }) }
            let response = try await send(ListOffsetsRequest(topics: topics), to: broker)
            for (topic, parts) in response.topics {
                for p in parts {
                    guard p.errorCode == .none else {
                        if p.errorCode.isRetriable { invalidate(topic: topic) }
                        throw KafkaError.broker(p.errorCode, "ListOffsets for \(topic)[\(p.partition)]")
                    }
                    result[TopicPartition(topic: topic, partition: p.partition)] = p.offset
                }
            }
        }
        return result
    }
}
