/// The embedded bus: Kafka's model (partitions, offsets, groups) in one process's memory.
///
/// Bounded: a topic with `.block` overflow makes publishers wait until every group has
/// consumed (committed) past old messages, so the lake path never drops; a topic with
/// `.dropOldest` (the live path) discards what nobody had time to read.
public actor InProcessBus: Bus {
    /// What a full partition does to a publisher.
    public enum Overflow: Sendable { case block, dropOldest }

    public struct Configuration: Sendable {
        /// Messages retained per partition before overflow applies.
        public var capacityPerPartition: Int = 50_000
        /// Overflow policy per topic; topics not listed block.
        public var overflow: [String: Overflow] = [BusTopics.streaming: .dropOldest]
        /// First offset per partition, so offsets continue across restarts (the lake's txn
        /// versions remember the last offset committed per partition).
        public var startOffsets: [BusPartition: Int64] = [:]
        public init() {}
    }

    private struct PartitionLog {
        var baseOffset: Int64
        var records: [BusRecord] = []
        var head = 0  // index of the first retained record in `records`

        var endOffset: Int64 { baseOffset + Int64(records.count - head) }
        var count: Int { records.count - head }

        /// Appends a record at the end offset; returns nothing (the offset is the old end).
        mutating func append(_ partition: BusPartition, _ message: OutgoingMessage) {
            records.append(BusRecord(partition: partition, offset: endOffset, key: message.key, value: message.value,
                                     timestampMillis: message.timestampMillis))
        }

        mutating func dropFirst(_ n: Int) {
            head += n
            baseOffset += Int64(n)
            // Reclaim space once the dead prefix dominates, keeping drops amortised O(1).
            if head > 1024 && head * 2 > records.count {
                records.removeFirst(head)
                head = 0
            }
        }
    }

    private let configuration: Configuration
    private var logs: [BusPartition: PartitionLog] = [:]
    private var partitionCounts: [String: Int] = [:]
    private var committed: [String: [BusPartition: Int64]] = [:]
    private var positions: [String: [BusPartition: Int64]] = [:]
    private var members: Set<String> = []
    private var closed = false

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public func ensureTopics(_ topics: [String], partitions: Int) throws {
        guard partitions > 0 else { throw PipelineError("a topic needs at least one partition, got \(partitions)") }
        for topic in topics where partitionCounts[topic] == nil {
            partitionCounts[topic] = partitions
            for p in 0..<partitions {
                let bp = BusPartition(topic: topic, partition: Int32(p))
                logs[bp] = PartitionLog(baseOffset: configuration.startOffsets[bp] ?? 0)
            }
        }
    }

    public func publish(_ messages: [OutgoingMessage]) async throws {
        // A batch names one or two topics: look their partition counts up once, not per message.
        var topics: [(String, Int)] = []
        for message in messages {
            let count: Int
            if let known = topics.first(where: { $0.0 == message.topic }) {
                count = known.1
            } else if let c = partitionCounts[message.topic] {
                topics.append((message.topic, c))
                count = c
            } else {
                throw PipelineError("publish to unknown topic '\(message.topic)'")
            }
            let bp = BusPartition(topic: message.topic, partition: Int32(Self.partition(for: message.key, count: count)))
            while logs[bp]!.count >= configuration.capacityPerPartition {
                if configuration.overflow[message.topic] == .dropOldest {
                    logs[bp]!.dropFirst(1)
                } else {
                    trimConsumed(bp)
                    if logs[bp]!.count < configuration.capacityPerPartition { break }
                    if closed { throw PipelineError("bus closed while \(bp) was full") }
                    // Backpressure: wait for consumers to commit; the actor is free meanwhile.
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            logs[bp]!.append(bp, message)
        }
    }

    public func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer {
        guard !members.contains(group) else {
            throw PipelineError("group '\(group)' already has a member; the in-process bus gives a group one member")
        }
        var assigned: [BusPartition] = []
        for topic in topics {
            guard let count = partitionCounts[topic] else { throw PipelineError("subscribe to unknown topic '\(topic)'") }
            assigned += (0..<count).map { BusPartition(topic: topic, partition: Int32($0)) }
        }
        members.insert(group)
        let overrides = try await listener.assigned(assigned)
        var start: [BusPartition: Int64] = [:]
        for bp in assigned {
            let log = logs[bp]!
            let wanted = overrides[bp] ?? committed[group]?[bp] ?? log.baseOffset
            start[bp] = min(max(wanted, log.baseOffset), log.endOffset)
        }
        positions[group] = start
        return InProcessConsumer(bus: self, group: group, partitions: assigned, listener: listener)
    }

    /// Every group's committed offsets, for lag reports: end offset minus committed.
    public func lag() -> [String: [BusPartition: Int64]] {
        committed.mapValues { offsets in
            offsets.reduce(into: [:]) { $0[$1.key] = (logs[$1.key]?.endOffset ?? $1.value) - $1.value }
        }
    }

    /// The next offset that will be written per partition.
    public func endOffsets() -> [BusPartition: Int64] { logs.mapValues(\.endOffset) }

    /// Wakes blocked publishers with an error; used at shutdown after consumers drained.
    public func close() { closed = true }

    // MARK: - Consumer side

    func poll(group: String, maxRecords: Int) -> [BusRecord] {
        guard var current = positions[group] else { return [] }
        var out: [BusRecord] = []
        for bp in current.keys.sorted() where out.count < maxRecords {
            guard let log = logs[bp], var position = current[bp] else { continue }
            if position < log.baseOffset { position = log.baseOffset }  // dropped by overflow
            while position < log.endOffset && out.count < maxRecords {
                out.append(log.records[log.head + Int(position - log.baseOffset)])
                position += 1
            }
            current[bp] = position
        }
        positions[group] = current
        return out
    }

    func commit(group: String, _ offsets: [BusPartition: Int64]) {
        for (bp, offset) in offsets {
            committed[group, default: [:]][bp] = offset
            trimConsumed(bp)
        }
    }

    func leave(group: String) {
        members.remove(group)
        positions[group] = nil
    }

    /// Drops records every group has committed past, on a blocking topic.
    private func trimConsumed(_ bp: BusPartition) {
        // Offsets only, then the log changed in place: a copy taken out of the dictionary and
        // written back made every trim copy the whole partition log (copy on write).
        guard let (base, end) = logs[bp].map({ ($0.baseOffset, $0.endOffset) }) else { return }
        let groupOffsets = committed.values.compactMap { $0[bp] }
        guard !groupOffsets.isEmpty, let low = groupOffsets.min(), low > base else { return }
        logs[bp]!.dropFirst(Int(min(low, end) - base))
    }

    /// FNV-1a of the key: stable across runs, so one asset always lands in one partition.
    static func partition(for key: [UInt8], count: Int) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in key {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(count))
    }
}

/// A member of an `InProcessBus` group; it holds every partition of its topics.
struct InProcessConsumer: BusConsumer {
    let bus: InProcessBus
    let group: String
    let partitions: [BusPartition]
    let listener: RebalanceListener

    func poll(maxRecords: Int, maxWait: Duration) async throws -> [BusRecord] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: maxWait)
        while true {
            let records = await bus.poll(group: group, maxRecords: maxRecords)
            if !records.isEmpty || clock.now >= deadline { return records }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func commit(_ nextOffsets: [BusPartition: Int64]) async throws {
        await bus.commit(group: group, nextOffsets)
    }

    func close() async {
        try? await listener.revoked(partitions)
        await bus.leave(group: group)
    }
}
