import Logging

/// A topic to create: partitions, replication factor and topic configs (e.g. `retention.ms`).
public struct NewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    public var configs: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int16 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// Cluster administration: topics and group offsets.
public final class KafkaAdmin: Sendable {
    let client: KafkaClient

    public init(configuration: KafkaClientConfiguration, logger: Logger) throws {
        self.client = try KafkaClient(configuration: configuration, logger: logger)
    }

    /// Creates `topics`; a topic that already exists is not an error (idempotent setup).
    /// Returns once every topic has a leader for each partition.
    public func createTopics(_ topics: [NewTopic]) async throws {
        guard !topics.isEmpty else { return }
        let controller = try await client.controller()
        let response = try await client.send(CreateTopicsRequest(topics: topics, timeoutMs: 30000), to: controller)
        for r in response.results where r.errorCode != .none && r.errorCode != .topicAlreadyExists {
            throw KafkaError(.broker, "CreateTopics \(r.name): \(r.errorCode) \(r.message ?? "")", brokerCode: r.errorCode)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + client.configuration.requestTimeout
        for t in topics {
            while true {
                await client.invalidate(topic: t.name)
                if let parts = try? await client.partitions(of: t.name), !parts.isEmpty { break }
                guard clock.now < deadline else { throw KafkaError(.timeout, "topic \(t.name) has no partitions after creation") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Every topic with its partition indexes.
    public func listTopics() async throws -> [String: [Int32]] {
        let response = try await client.refreshMetadata(topics: nil, autoCreate: false)
        var result: [String: [Int32]] = [:]
        for t in response.topics where t.errorCode == .none {
            result[t.name] = t.partitions.map(\.index).sorted()
        }
        return result
    }

    /// The committed offsets of `group` for every partition it has committed.
    ///
    /// Asks for every topic explicitly rather than with a null topic list: tansu 0.6 answers the
    /// null form without its topics array, which no conforming decoder can read.
    public func groupOffsets(_ group: String) async throws -> [TopicPartition: Int64] {
        let topics = try await listTopics()
        guard !topics.isEmpty else { return [:] }
        let coordinator = try await client.coordinator(group: group)
        let request = OffsetFetchRequest(groupID: group, topics: topics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let response = try await client.send(request, to: coordinator)
        guard response.errorCode == .none else { throw KafkaError.broker(response.errorCode, "OffsetFetch for group \(group)") }
        var result: [TopicPartition: Int64] = [:]
        for o in response.offsets where o.errorCode == .none && o.offset >= 0 {
            result[TopicPartition(topic: o.topic, partition: o.partition)] = o.offset
        }
        return result
    }

    /// Earliest offsets per partition.
    public func earliestOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await client.listOffsets(partitions, timestamp: -2)
    }

    /// Latest (end) offsets per partition. Note: tansu 0.6 answers the start of the last batch + 1.
    public func latestOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await client.listOffsets(partitions, timestamp: -1)
    }

    public func close() async {
        await client.close()
    }
}
