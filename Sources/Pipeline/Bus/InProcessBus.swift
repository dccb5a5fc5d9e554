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
        mutating func append(_ partition: BusPartition, _ message: consuming OutgoingMessage) {
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

    /// A topic's partitions: `logs[first..<first + count]`.
    private struct TopicEntry {
        var first: Int
        var count: Int
        var overflow: Overflow
    }

    private let configuration: Configuration
    /// Every partition's log, addressed by index: publishing hashed the partition (its topic
    /// string) several times per message when the logs were a dictionary (`perf`).
    private var logs: [PartitionLog] = []
    private var partitionOf: [BusPartition] = []
    private var logIndex: [BusPartition: Int] = [:]
    private var topicEntries: [String: TopicEntry] = [:]
    private var committed: [String: [BusPartition: Int64]] = [:]
    private var positions: [String: [BusPartition: Int64]] = [:]
    private var members: Set<String> = []
    private var closed = false

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public func ensureTopics(_ topics: [String], partitions: Int) throws {
        guard partitions > 0 else { throw PipelineError("a topic needs at least one partition, got \(partitions)") }
        for topic in topics where topicEntries[topic] == nil {
            topicEntries[topic] = TopicEntry(first: logs.count, count: partitions,
                                             overflow: configuration.overflow[topic] ?? .block)
            for p in 0..<partitions {
                let bp = BusPartition(topic: topic, partition: Int32(p))
                logIndex[bp] = logs.count
                partitionOf.append(bp)
                logs.append(PartitionLog(baseOffset: configuration.startOffsets[bp] ?? 0))
            }
        }
    }

    public func publish(_ messages: consuming [OutgoingMessage]) async throws {
        // A batch names one or two topics: look them up once, not per message.
        var topics: [(String, TopicEntry)] = []
        // Taken from the back of the reversed batch, so in order: each message's key and value
        // move into its record instead of being retained there and released with the batch.
        var messages = messages
        messages.reverse()
        while let message = messages.popLast() {
            let entry: TopicEntry
            if let known = topics.first(where: { $0.0 == message.topic }) {
                entry = known.1
            } else if let found = topicEntries[message.topic] {
                topics.append((message.topic, found))
                entry = found
            } else {
                throw PipelineError("publish to unknown topic '\(message.topic)'")
            }
            let index = entry.first + Self.partition(for: message.key, count: entry.count)
            while logs[index].count >= configuration.capacityPerPartition {
                if entry.overflow == .dropOldest {
                    logs[index].dropFirst(1)
                } else {
                    trimConsumed(index)
                    if logs[index].count < configuration.capacityPerPartition { break }
                    if closed { throw PipelineError("bus closed while \(partitionOf[index]) was full") }
                    // Backpressure: wait for consumers to commit; the actor is free meanwhile.
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            logs[index].append(partitionOf[index], message)
        }
    }

    public func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer {
        guard !members.contains(group) else {
            throw PipelineError("group '\(group)' already has a member; the in-process bus gives a group one member")
        }
        var assigned: [BusPartition] = []
        for topic in topics {
            guard let entry = topicEntries[topic] else { throw PipelineError("subscribe to unknown topic '\(topic)'") }
            assigned += partitionOf[entry.first..<entry.first + entry.count]
        }
        members.insert(group)
        let overrides = try await listener.assigned(assigned)
        var start: [BusPartition: Int64] = [:]
        for bp in assigned {
            let log = logs[logIndex[bp]!]
            let wanted = overrides[bp] ?? committed[group]?[bp] ?? log.baseOffset
            start[bp] = min(max(wanted, log.baseOffset), log.endOffset)
        }
        positions[group] = start
        return InProcessConsumer(bus: self, group: group, partitions: assigned, listener: listener)
    }

    /// Every group's committed offsets, for lag reports: end offset minus committed.
    public func lag() -> [String: [BusPartition: Int64]] {
        committed.mapValues { offsets in
            offsets.reduce(into: [:]) { $0[$1.key] = (logIndex[$1.key].map { logs[$0].endOffset } ?? $1.value) - $1.value }
        }
    }

    /// The next offset that will be written per partition.
    public func endOffsets() -> [BusPartition: Int64] {
        Dictionary(uniqueKeysWithValues: zip(partitionOf, logs.lazy.map(\.endOffset)))
    }

    /// Wakes blocked publishers with an error; used at shutdown after consumers drained.
    public func close() { closed = true }

    // MARK: - Consumer side

    func poll(group: String, maxRecords: Int) -> [BusRecord] {
        guard var current = positions[group] else { return [] }
        var out: [BusRecord] = []
        for bp in current.keys.sorted() where out.count < maxRecords {
            guard let index = logIndex[bp], var position = current[bp] else { continue }
            let log = logs[index]
            if position < log.baseOffset { position = log.baseOffset }  // dropped by overflow
            let take = Int(min(log.endOffset - position, Int64(maxRecords - out.count)))
            guard take > 0 else { continue }
            let from = log.head + Int(position - log.baseOffset)
            out.append(contentsOf: log.records[from..<from + take])
            current[bp] = position + Int64(take)
        }
        positions[group] = current
        return out
    }

    func commit(group: String, _ offsets: [BusPartition: Int64]) {
        for (bp, offset) in offsets {
            committed[group, default: [:]][bp] = offset
            if let index = logIndex[bp] { trimConsumed(index) }
        }
    }

    func leave(group: String) {
        members.remove(group)
        positions[group] = nil
    }

    /// Drops records every group has committed past, on a blocking topic.
    private func trimConsumed(_ index: Int) {
        // Offsets only, then the log changed in place: a copy of the log written back would
        // copy the whole partition (copy on write).
        let (base, end) = (logs[index].baseOffset, logs[index].endOffset)
        let bp = partitionOf[index]
        let groupOffsets = committed.values.compactMap { $0[bp] }
        guard !groupOffsets.isEmpty, let low = groupOffsets.min(), low > base else { return }
        logs[index].dropFirst(Int(min(low, end) - base))
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
