import NIOCore

/// Partition assignment strategies of the classic consumer protocol, run by the group leader
/// (names and semantics as Java's `RangeAssignor` / `RoundRobinAssignor`, so mixed groups agree).
public enum PartitionAssignor: String, Sendable {
    /// Per topic, consecutive partition ranges to members sorted by id; the first members get one extra.
    case range
    /// All partitions of all topics, sorted, dealt out in turn to the members subscribed to them.
    case roundRobin = "roundrobin"

    /// Assigns `partitions` (per topic) to `members` (member id → subscribed topics).
    func assign(members: [String: [String]], partitions: [String: [Int32]]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        for m in members.keys { result[m] = [] }
        switch self {
        case .range:
            for (topic, parts) in partitions {
                let subscribers = members.filter { $0.value.contains(topic) }.keys.sorted()
                guard !subscribers.isEmpty else { continue }
                let sorted = parts.sorted()
                let per = sorted.count / subscribers.count
                let extra = sorted.count % subscribers.count
                var start = 0
                for (i, m) in subscribers.enumerated() {
                    let n = per + (i < extra ? 1 : 0)
                    result[m, default: []] += sorted[start..<(start + n)].map { TopicPartition(topic: topic, partition: $0) }
                    start += n
                }
            }
        case .roundRobin:
            let all = partitions.flatMap { t, ps in ps.map { TopicPartition(topic: t, partition: $0) } }.sorted()
            let ids = members.keys.sorted()
            guard !ids.isEmpty else { return result }
            var next = 0
            for tp in all {
                for _ in 0..<ids.count {
                    let m = ids[next % ids.count]
                    next += 1
                    if members[m]?.contains(tp.topic) == true {
                        result[m, default: []].append(tp)
                        break
                    }
                }
            }
        }
        return result
    }

    /// ConsumerProtocolSubscription v0: version, topics, user data (Kafka `consumer` protocol type).
    static func encodeSubscription(topics: [String]) -> [UInt8] {
        var w = ProtocolWriter(buffer: ByteBuffer(), flexible: false)
        w.int16(0)
        w.array(topics.sorted()) { $0.string($1) }
        w.int32(-1)
        return Array(w.buffer.readableBytesView)
    }

    /// The topics of a member's subscription, any version (later versions only append fields).
    static func decodeSubscription(_ bytes: [UInt8]) throws -> [String] {
        var r = ProtocolReader(buffer: ByteBuffer(bytes: bytes), flexible: false, context: "group member subscription")
        _ = try r.int16()
        return try r.array { try $0.string() }
    }

    /// ConsumerProtocolAssignment v0: version, partitions per topic, user data.
    static func encodeAssignment(_ tps: [TopicPartition]) -> [UInt8] {
        var w = ProtocolWriter(buffer: ByteBuffer(), flexible: false)
        w.int16(0)
        let byTopic = Dictionary(grouping: tps, by: \.topic).sorted { $0.key < $1.key }
        w.array(byTopic) { w, t in
            w.string(t.key)
            w.array(t.value.map(\.partition).sorted()) { $0.int32($1) }
        }
        w.int32(-1)
        return Array(w.buffer.readableBytesView)
    }

    static func decodeAssignment(_ bytes: [UInt8]) throws -> [TopicPartition] {
        guard !bytes.isEmpty else { return [] }
        var r = ProtocolReader(buffer: ByteBuffer(bytes: bytes), flexible: false, context: "group assignment")
        _ = try r.int16()
        return try r.array { r in
            let topic = try r.string()
            return try r.array { TopicPartition(topic: topic, partition: try $0.int32()) }
        }.flatMap { $0 }
    }
}
