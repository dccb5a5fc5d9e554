import Logging
import NIOCore

/// Reads records from Kafka, either as a member of a consumer group (classic protocol:
/// FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup) or from manually assigned partitions.
///
/// Fetching is pull-driven: a fetch starts when the application asks for records (`records` or
/// `nextBatch()`) and none is running. While a fetch's records are decoded, the next fetch is
/// already on the wire, as long as the application keeps up (at most about one fetch's worth
/// undelivered); so at most three fetches' records are in memory, which is the backpressure (see
/// `KafkaConsumer+Fetching.swift`). On a rebalance the consumer stops
/// handing out records of its partitions, then calls `onRevoke` so the application can flush and
/// commit before another member takes them over.
public actor KafkaConsumer {
    /// Called with partitions just assigned, or about to be revoked (commit in `onRevoke`).
    public typealias RebalanceCallback = @Sendable ([TopicPartition]) async -> Void

    public let configuration: KafkaConsumerConfiguration
    let client: KafkaClient
    let logger: Logger
    private let subscription: [String]?
    private let manualPartitions: [TopicPartition]
    private let onAssign: RebalanceCallback?
    private let onRevoke: RebalanceCallback?
    let clock = ContinuousClock()

    /// Next offset to fetch per assigned partition.
    var positions: [TopicPartition: Int64] = [:]
    var assignmentEpoch = 0
    /// Records fetched and decoded, not yet handed to the application, and their fetched size.
    var buffered: [ConsumerRecord] = [] { didSet { if buffered.isEmpty { bufferedBytes = 0 } } }
    var bufferedBytes = 0
    private var memberID = ""
    private var generationID: Int32 = -1
    private var coordinator: Int32?
    private var started = false
    private(set) var closed = false
    private var membership: Task<Void, Never>?
    private var assignmentWaiters: [CheckedContinuation<Void, Never>] = []
    /// Running fetches by id; at most two (one decoding, one on the wire).
    var fetches: [UInt64: Task<Void, Never>] = [:]
    /// The fetch started last: the next one appends its records only after it.
    var newestFetch: Task<Void, Never>?
    var nextFetchID: UInt64 = 0
    /// What a fetch failed with, for the next `nextBatch` call.
    var fetchFailure: Error?
    /// Bumped when a partition's position goes back (its batch failed to decode), so that a
    /// fetch sent from the abandoned position drops what it brings for that partition.
    var lineage: [TopicPartition: Int] = [:]
    var recordWaiters: [CheckedContinuation<Void, Never>] = []

    /// A group member consuming `topics`; partitions come from the group leader's assignment.
    public init(configuration: KafkaConsumerConfiguration, topics: [String], logger: Logger,
                onAssign: RebalanceCallback? = nil, onRevoke: RebalanceCallback? = nil) throws {
        guard !topics.isEmpty, !configuration.groupID.isEmpty else {
            throw KafkaError(.invalidArgument, "a group consumer needs topics and a group id")
        }
        self.configuration = configuration
        self.client = try KafkaClient(configuration: configuration.clientConfiguration, logger: logger)
        self.logger = logger
        self.subscription = topics
        self.manualPartitions = []
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }

    /// A consumer of exactly `partitions`, outside group management. It starts from the group's
    /// committed offsets when there are any, else from `autoOffsetReset`.
    public init(configuration: KafkaConsumerConfiguration, partitions: [TopicPartition], logger: Logger) throws {
        self.configuration = configuration
        self.client = try KafkaClient(configuration: configuration.clientConfiguration, logger: logger)
        self.logger = logger
        self.subscription = nil
        self.manualPartitions = partitions
        self.onAssign = nil
        self.onRevoke = nil
    }

    /// The records, in offset order per partition; ends after `close()`.
    public nonisolated var records: ConsumerRecordSequence { ConsumerRecordSequence(consumer: self) }

    /// Partitions currently assigned to this consumer.
    public var assignment: [TopicPartition] { positions.keys.sorted() }

    /// Joins the group (or resolves manual positions) without waiting for records.
    public func start() {
        guard !started, !closed else { return }
        started = true
        membership = Task { await self.runMembership() }
    }

    /// Waits until at least one partition is assigned, up to `timeout`.
    public func waitForAssignment(timeout: Duration) async throws {
        start()
        let deadline = clock.now + timeout
        while positions.isEmpty {
            guard !closed else { throw KafkaError(.closed, "consumer closed") }
            guard clock.now < deadline else { throw KafkaError(.timeout, "no partitions assigned within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The next records available (at least one), waiting for them; empty only once closed.
    public func nextBatch() async throws -> [ConsumerRecord] {
        start()
        while !closed {
            try Task.checkCancellation()
            // Records fetched before a failure come first: they precede it in their partition.
            if !buffered.isEmpty {
                let out = buffered
                buffered = []
                if fetchFailure == nil { startFetchIfIdle() }
                return out
            }
            if let failure = fetchFailure {
                fetchFailure = nil
                throw failure
            }
            if positions.isEmpty {
                await waitForAssignmentChange(upTo: .milliseconds(100))
                continue
            }
            startFetchIfIdle()
            await waitForFetchProgress()
        }
        return []
    }

    /// Commits `offsets` (the next offset to read, i.e. last processed + 1) for the group.
    public func commit(offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let coordinator = try await ensureCoordinator()
        let topics = Dictionary(grouping: offsets, by: \.key.topic).map { topic, items in
            (topic, items.map { (partition: $0.key.partition, offset: $0.value) })
        }
        let response = try await client.send(
            OffsetCommitRequest(groupID: configuration.groupID, generationID: subscription == nil ? -1 : generationID,
                                memberID: subscription == nil ? "" : memberID, offsets: topics), to: coordinator)
        if let failed = response.results.first(where: { $0.errorCode != .none }) {
            if failed.errorCode == .notCoordinator || failed.errorCode == .coordinatorNotAvailable { self.coordinator = nil }
            throw KafkaError.broker(failed.errorCode, "OffsetCommit of \(failed.topic)[\(failed.partition)] for group \(configuration.groupID)")
        }
    }

    /// The group's committed offsets for `partitions` (absent when none).
    public func committed(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        let coordinator = try await ensureCoordinator()
        let topics = Dictionary(grouping: partitions, by: \.topic).map { ($0.key, $0.value.map(\.partition)) }
        let response = try await client.send(OffsetFetchRequest(groupID: configuration.groupID, topics: topics), to: coordinator)
        guard response.errorCode == .none else {
            if response.errorCode == .notCoordinator { self.coordinator = nil }
            throw KafkaError.broker(response.errorCode, "OffsetFetch for group \(configuration.groupID)")
        }
        var result: [TopicPartition: Int64] = [:]
        for o in response.offsets where o.errorCode == .none && o.offset >= 0 {
            result[TopicPartition(topic: o.topic, partition: o.partition)] = o.offset
        }
        return result
    }

    /// Revokes partitions (calling `onRevoke`), leaves the group, and closes connections.
    public func close() async {
        guard !closed else { return }
        closed = true
        membership?.cancel()
        await stopFetching()
        await membership?.value
        await revokeAll()
        if subscription != nil, !memberID.isEmpty, let coordinator {
            do {
                _ = try await client.send(LeaveGroupRequest(groupID: configuration.groupID, memberID: memberID), to: coordinator)
            } catch {
                logger.warning("LeaveGroup failed", metadata: ["group": "\(configuration.groupID)", "error": "\(error)"])
            }
        }
        wakeAssignmentWaiters()
        await client.close()
    }

    /// Drops every connection without LeaveGroup or callbacks, as a crashed process would;
    /// the group notices only through the session timeout. For failover tests.
    func abandon() async {
        closed = true
        membership?.cancel()
        for task in fetches.values { task.cancel() }
        await client.close()
        await membership?.value
        wakeAssignmentWaiters()
    }

    // MARK: Membership

    private func ensureCoordinator() async throws -> Int32 {
        if let coordinator { return coordinator }
        let c = try await client.coordinator(group: configuration.groupID)
        coordinator = c
        return c
    }

    private func runMembership() async {
        if subscription == nil {
            while !closed && !Task.isCancelled {
                do {
                    try await assign(manualPartitions)
                    return
                } catch {
                    logger.warning("cannot resolve start offsets", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: configuration.retryBackoff)
                }
            }
            return
        }
        while !closed && !Task.isCancelled {
            do {
                try await joinAndSync()
                try await heartbeatUntilRebalance()
            } catch {
                if closed || Task.isCancelled { return }
                if let e = error as? KafkaError {
                    if e.code == .connection || e.code == .timeout || e.brokerCode == .notCoordinator
                        || e.brokerCode == .coordinatorNotAvailable || e.brokerCode == .coordinatorLoadInProgress {
                        coordinator = nil
                    }
                    if e.brokerCode == .unknownMemberID || e.brokerCode == .illegalGeneration {
                        memberID = e.brokerCode == .unknownMemberID ? "" : memberID
                        await revokeAll()
                    }
                }
                logger.info("group membership retry", metadata: ["group": "\(configuration.groupID)", "error": "\(error)"])
                try? await Task.sleep(for: configuration.retryBackoff)
            }
        }
    }

    /// Joins and syncs until the group hands this member an assignment.
    ///
    /// A SyncGroup answered REBALANCE_IN_PROGRESS means the generation just joined is already
    /// over: the member rejoins at once, as the Java client does. Returning to heartbeats
    /// instead would wait for a heartbeat to say so, and a coordinator whose heartbeats keep
    /// answering NONE to members of the forming generation (tansu, after the leader it
    /// remembered died) would leave every member without partitions for good.
    private func joinAndSync() async throws {
        while true {
            let coordinator = try await ensureCoordinator()
            let (generation, assignments) = try await join(coordinator: coordinator)
            let sync = try await client.send(SyncGroupRequest(groupID: configuration.groupID, generationID: generation,
                                                              memberID: memberID, assignments: assignments),
                                             to: coordinator, extraWait: groupRequestWait)
            logger.debug("group synced", metadata: ["group": "\(configuration.groupID)", "error": "\(sync.errorCode)"])
            if sync.errorCode == .rebalanceInProgress {
                try await keepSessionAlive(coordinator: coordinator)
                try await Task.sleep(for: configuration.retryBackoff)
                continue
            }
            guard sync.errorCode == .none else { throw KafkaError.broker(sync.errorCode, "SyncGroup \(configuration.groupID)") }
            try await assign(try PartitionAssignor.decodeAssignment(sync.assignment))
            return
        }
    }

    /// One JoinGroup (two for a new member, which must first learn its id); the leader also
    /// computes the assignment it will hand over in SyncGroup.
    private func join(coordinator: Int32) async throws -> (generation: Int32, assignments: [(memberID: String, assignment: [UInt8])]) {
        let topics = subscription ?? []
        var join: JoinGroupRequest.Response
        while true {
            logger.debug("joining group", metadata: ["group": "\(configuration.groupID)", "member": "\(memberID)", "coordinator": "\(coordinator)"])
            join = try await client.send(JoinGroupRequest(
                groupID: configuration.groupID,
                sessionTimeoutMs: Int32(clamping: configuration.sessionTimeout.milliseconds),
                rebalanceTimeoutMs: Int32(clamping: configuration.rebalanceTimeout.milliseconds),
                memberID: memberID, protocolType: "consumer",
                protocols: [(name: configuration.assignor.rawValue, metadata: PartitionAssignor.encodeSubscription(topics: topics))]),
                to: coordinator, extraWait: groupRequestWait)
            if join.errorCode == .memberIDRequired {
                memberID = join.memberID
                continue
            }
            break
        }
        guard join.errorCode == .none else { throw KafkaError.broker(join.errorCode, "JoinGroup \(configuration.groupID)") }
        memberID = join.memberID
        generationID = join.generationID
        logger.debug("joined group", metadata: ["group": "\(configuration.groupID)", "member": "\(memberID)",
                                                "generation": "\(generationID)", "leader": "\(join.leader == join.memberID)"])
        guard join.leader == join.memberID else { return (generationID, []) }
        var members: [String: [String]] = [:]
        for m in join.members { members[m.memberID] = try PartitionAssignor.decodeSubscription(m.metadata) }
        var partitions: [String: [Int32]] = [:]
        for topic in Set(members.values.flatMap { $0 }) {
            await client.invalidate(topic: topic)
            if let ps = try? await client.partitions(of: topic) { partitions[topic] = ps }
        }
        let assignor = PartitionAssignor(rawValue: join.protocolName) ?? configuration.assignor
        let plan = assignor.assign(members: members, partitions: partitions)
        logger.info("assigned group partitions as leader", metadata: [
            "group": "\(configuration.groupID)", "members": "\(members.count)", "generation": "\(generationID)"])
        return (generationID, plan.map { (memberID: $0.key, assignment: PartitionAssignor.encodeAssignment($0.value)) })
    }

    /// A heartbeat between rejoin attempts. Kafka keeps a member that is rejoining alive on its
    /// own; some coordinators count only heartbeats as contact (tansu), and would expire a
    /// member that spends a session timeout in JoinGroup/SyncGroup rounds. The answer
    /// (typically REBALANCE_IN_PROGRESS) changes nothing: the member is rejoining anyway.
    private func keepSessionAlive(coordinator: Int32) async throws {
        let code = try await heartbeat(coordinator: coordinator)
        if code == .unknownMemberID || code == .illegalGeneration {
            throw KafkaError.broker(code, "Heartbeat \(configuration.groupID) while rejoining")
        }
    }

    /// Takes `partitions`: positions from committed offsets, else the reset policy; then `onAssign`.
    private func assign(_ partitions: [TopicPartition]) async throws {
        var start = partitions.isEmpty || configuration.groupID.isEmpty ? [:] : try await committed(partitions)
        let missing = partitions.filter { start[$0] == nil }
        if !missing.isEmpty {
            let reset = try await client.listOffsets(missing, timestamp: configuration.autoOffsetReset == .earliest ? -2 : -1)
            for (tp, offset) in reset { start[tp] = offset }
        }
        positions = [:]
        for tp in partitions { positions[tp] = start[tp] ?? 0 }
        assignmentEpoch += 1
        buffered = []
        wakeAssignmentWaiters()
        logger.info("partitions assigned", metadata: ["group": "\(configuration.groupID)", "partitions": "\(partitions.sorted())"])
        if let onAssign, !partitions.isEmpty { await onAssign(partitions.sorted()) }
    }

    private func revokeAll() async {
        let revoked = positions.keys.sorted()
        positions = [:]
        buffered = []
        assignmentEpoch += 1
        if let onRevoke, !revoked.isEmpty { await onRevoke(revoked) }
    }

    /// JoinGroup and SyncGroup may be held by the broker until the group settles.
    private var groupRequestWait: Duration { configuration.rebalanceTimeout + configuration.sessionTimeout }

    private func heartbeat(coordinator: Int32) async throws -> BrokerErrorCode {
        try await client.send(HeartbeatRequest(groupID: configuration.groupID, generationID: generationID, memberID: memberID),
                              to: coordinator)
    }

    private func heartbeatUntilRebalance() async throws {
        while !closed {
            try await Task.sleep(for: configuration.heartbeatInterval)
            guard let coordinator else { throw KafkaError(.connection, "coordinator unknown") }
            let code = try await heartbeat(coordinator: coordinator)
            switch code {
            case .none:
                continue
            case .rebalanceInProgress:
                logger.info("group rebalancing", metadata: ["group": "\(configuration.groupID)"])
                await revokeAll()
                return
            default:
                throw KafkaError.broker(code, "Heartbeat \(configuration.groupID)")
            }
        }
    }

    private func wakeAssignmentWaiters() {
        let waiters = assignmentWaiters
        assignmentWaiters.removeAll()
        for w in waiters { w.resume() }
    }

    private func waitForAssignmentChange(upTo timeout: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.wakeAssignmentWaiters()
        }
        await withCheckedContinuation { assignmentWaiters.append($0) }
        timer.cancel()
    }
}

/// The consumer's records as an `AsyncSequence`; each `next()` past the current batch fetches
/// more, so an application that stops iterating stops the fetching (backpressure).
public struct ConsumerRecordSequence: AsyncSequence, Sendable {
    public typealias Element = ConsumerRecord
    let consumer: KafkaConsumer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        var batch: [ConsumerRecord] = []
        var index = 0

        public mutating func next() async throws -> ConsumerRecord? {
            if index >= batch.count {
                batch = try await consumer.nextBatch()
                index = 0
                if batch.isEmpty { return nil }
            }
            defer { index += 1 }
            return batch[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }
}
