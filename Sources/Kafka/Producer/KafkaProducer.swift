import Logging
import NIOCore

/// Sends records to Kafka in per-partition batches, with acks, idempotence and retries.
///
/// Records accumulate per partition until `batchSize` bytes or `linger` elapse, then Produce
/// requests carry one ready batch per partition to each leader. Up to `maxInFlightRequestsPerBroker`
/// requests (and, with idempotence, at most 5 batches per partition, KIP-98's limit) are in flight
/// per broker connection; a connection delivers them in order, so sequence numbers arrive in order.
/// A failed batch is resent byte for byte with its original sequence number once every later batch
/// of its partition has come back, so with `idempotent` the broker discards a retry of a batch it
/// already wrote and the partition's order holds.
public actor KafkaProducer {
    public let configuration: KafkaProducerConfiguration
    private let client: KafkaClient
    private let logger: Logger
    private let clock = ContinuousClock()
    private let maxInFlightPerPartition: Int

    private var queues: [TopicPartition: [ProducerBatch]] = [:]
    private var partitionInFlight: [TopicPartition: Int] = [:]
    private var inFlightBatches = 0
    private var brokerInFlight: [Int32: Int] = [:]
    private var leaders: [TopicPartition: Int32] = [:]
    private var partitionCounts: [String: Int] = [:]
    private var sequences: [TopicPartition: Int32] = [:]
    private var producerID: Int64 = -1
    private var producerEpoch: Int16 = -1
    private var nextBatchID: UInt64 = 0
    private var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushRequests = 0
    private var wakeup: CheckedContinuation<Void, Never>?
    private var closing = false
    private var closed = false
    private var sender: Task<Void, Never>?
    /// What the producer did on the wire so far.
    public private(set) var statistics = KafkaProducerStatistics()

    /// Creates a producer; connections open on the first send.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        guard configuration.batchSize > 0, configuration.maxInFlightRequestsPerBroker > 0 else {
            throw KafkaError(.invalidArgument, "batchSize and maxInFlightRequestsPerBroker must be positive")
        }
        if configuration.idempotent && configuration.acks != .all {
            throw KafkaError(.invalidArgument, "an idempotent producer needs acks=all")
        }
        if configuration.compression != .none && configuration.compression != .snappy {
            throw KafkaError(.unsupportedCodec, "compression \(configuration.compression) is not supported for produce (none, snappy)")
        }
        self.configuration = configuration
        self.logger = logger
        self.client = try KafkaClient(configuration: configuration.clientConfiguration, logger: logger)
        // A broker keeps the sequence state of the last 5 batches per partition (KIP-98), so
        // more than 5 in flight could not be deduplicated on retry.
        self.maxInFlightPerPartition = configuration.idempotent
            ? min(configuration.maxInFlightRequestsPerBroker, 5) : configuration.maxInFlightRequestsPerBroker
    }

    // MARK: Public API

    /// Sends one record and waits until the broker acknowledged it (or delivery failed).
    /// - Parameters:
    ///   - partition: an explicit partition; by default murmur2 of the key (random without a key).
    ///   - timestamp: milliseconds since the Unix epoch; now by default.
    @discardableResult
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
                     timestamp: Int64? = nil, partition: Int32? = nil) async throws -> RecordMetadata {
        let tp = try await resolve(topic: topic, key: key, partition: partition)
        let size = RecordBatchWriter.encodedSize(key: key, value: value, headers: headers, timestampDelta: 0, offsetDelta: 0)
        await waitForSpace(size)
        try checkOpen()
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<RecordMetadata, Error>) in
            append(tp, key: key, value: value, headers: headers, timestamp: timestamp ?? WallClock.nowMillis()) { result in
                c.resume(with: result.mapError { $0 as Error })
            }
        }
    }

    /// Queues one record without waiting for its delivery; `onDelivery` gets the outcome.
    /// Waits only while `bufferMemory` is full (backpressure). Use `flush()` to wait for all.
    public func enqueue(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
                        timestamp: Int64? = nil, partition: Int32? = nil,
                        onDelivery: (@Sendable (Result<RecordMetadata, KafkaError>) -> Void)? = nil) async throws {
        let tp = try await resolve(topic: topic, key: key, partition: partition)
        let size = RecordBatchWriter.encodedSize(key: key, value: value, headers: headers, timestampDelta: 0, offsetDelta: 0)
        await waitForSpace(size)
        try checkOpen()
        append(tp, key: key, value: value, headers: headers, timestamp: timestamp ?? WallClock.nowMillis(), delivery: onDelivery)
    }

    /// Queues many records in one call (one actor hop for all of them); `onDelivery`, if given,
    /// gets each record's outcome. Same ordering and backpressure as `enqueue` record by record.
    public func enqueue(_ records: [ProducerRecord],
                        onDelivery: (@Sendable (Result<RecordMetadata, KafkaError>) -> Void)? = nil) async throws {
        let now = WallClock.nowMillis()
        for r in records {
            let tp = try await resolve(topic: r.topic, key: r.key, partition: r.partition)
            let size = RecordBatchWriter.encodedSize(key: r.key, value: r.value, headers: r.headers, timestampDelta: 0, offsetDelta: 0)
            if bufferedBytes > 0 && bufferedBytes + size > configuration.bufferMemory { await waitForSpace(size) }
            try checkOpen()
            append(tp, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp ?? now, delivery: onDelivery)
        }
    }

    /// Sends everything queued now and waits until every record is delivered or failed.
    public func flush() async {
        flushRequests += 1
        defer { flushRequests -= 1 }
        signal()
        await waitUntilIdle()
    }

    /// Flushes, then closes the connections. Later sends fail with `.closed`.
    public func close() async {
        guard !closed else { return }
        closing = true
        signal()
        await waitUntilIdle()
        closed = true
        signal()
        await sender?.value
        await client.close()
    }

    /// The partition a key maps to for `topic` (murmur2, as librdkafka and the Java client).
    public func partition(for key: [UInt8], topic: String) async throws -> Int32 {
        try await resolve(topic: topic, key: key, partition: nil).partition
    }

    // MARK: Accumulation

    private func checkOpen() throws {
        guard !closing else { throw KafkaError(.closed, "producer closed") }
    }

    private func resolve(topic: String, key: [UInt8]?, partition: Int32?) async throws -> TopicPartition {
        try checkOpen()
        var count = partitionCounts[topic]
        if count == nil {
            count = try await client.partitions(of: topic, autoCreate: true).count
            partitionCounts[topic] = count
        }
        let n = count ?? 0
        if let partition {
            guard partition >= 0, Int(partition) < n else {
                throw KafkaError(.invalidArgument, "partition \(partition) out of range for \(topic) (\(n) partitions)")
            }
            return TopicPartition(topic: topic, partition: partition)
        }
        return TopicPartition(topic: topic, partition: Murmur2Partitioner.partition(for: key, partitionCount: n))
    }

    private func waitForSpace(_ size: Int) async {
        while bufferedBytes > 0 && bufferedBytes + size > configuration.bufferMemory {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
    }

    private func append(_ tp: TopicPartition, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
                        timestamp: Int64, delivery: ProducerBatch.Delivery?) {
        if sender == nil { sender = Task { await self.runSender() } }
        let now = clock.now
        let batchSize = configuration.batchSize
        // Mutate in place through the dictionary (one hash, no copy): a copied-out batch would
        // share its buffer and force a copy of all its bytes on every append.
        let grew = Self.append(to: &queues[tp, default: []], tp: tp, key: key, value: value, headers: headers,
                               timestamp: timestamp, delivery: delivery, batchSize: batchSize, now: now, nextID: &nextBatchID)
        bufferedBytes += grew.bytes
        // A new batch starts a linger deadline the sender must learn about; a full one may go now.
        if grew.full || grew.created { signal() }
    }

    private static func append(to queue: inout [ProducerBatch], tp: TopicPartition, key: [UInt8]?, value: [UInt8]?,
                               headers: [KafkaHeader], timestamp: Int64, delivery: ProducerBatch.Delivery?,
                               batchSize: Int, now: ContinuousClock.Instant, nextID: inout UInt64) -> (bytes: Int, full: Bool, created: Bool) {
        let created = queue.isEmpty || !queue[queue.count - 1].accepts(batchSize: batchSize)
        if created {
            nextID += 1
            queue.append(ProducerBatch(id: nextID, partition: tp, capacity: min(batchSize + 512, 1 << 20), now: now))
        }
        let last = queue.count - 1
        let added = queue[last].append(key: key, value: value, headers: headers, timestamp: timestamp, delivery: delivery)
        return (added, queue[last].writer.byteCount >= batchSize, created)
    }

    // MARK: Sending

    private func signal() {
        wakeup?.resume()
        wakeup = nil
    }

    /// Waits for `signal()`, or until `timeout` has passed if one is given. Without a timeout
    /// no timer is armed: every event that can make a batch sendable (a new or full batch, a
    /// response, flush, close) signals, and a timer per wait cost more than the sending itself.
    private func sleep(upTo timeout: Duration?) async {
        guard wakeup == nil else { return }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.signal()
            }
        }
        await withCheckedContinuation { wakeup = $0 }
        timer?.cancel()
    }

    private var isIdle: Bool { queues.isEmpty && inFlightBatches == 0 }

    private func waitUntilIdle() async {
        while !isIdle {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    /// The index of the batch of `tp` to send next, if one may go now: batches go in queue order,
    /// in-flight ones always form a prefix of the queue, and a failed batch waits until every
    /// later in-flight batch of its partition has come back (then all resend in order).
    private func sendableIndex(_ tp: TopicPartition, now: ContinuousClock.Instant, urgent: Bool) -> (Int?, ContinuousClock.Instant?) {
        guard let queue = queues[tp] else { return (nil, nil) }
        var i = 0
        while i < queue.count && queue[i].inFlight { i += 1 }
        guard i < queue.count, i < maxInFlightPerPartition, partitionInFlight[tp, default: 0] == i else { return (nil, nil) }
        let batch = queue[i]
        let lingerDue = batch.created + configuration.linger
        let ready = urgent || queue.count > i + 1 || batch.writer.byteCount >= configuration.batchSize || lingerDue <= now
        if !ready { return (nil, lingerDue) }
        if batch.retryAt > now { return (nil, batch.retryAt) }
        return (i, nil)
    }

    private func runSender() async {
        while !(closed && isIdle) {
            if isIdle {
                for w in idleWaiters { w.resume() }
                idleWaiters.removeAll()
                if closed { break }
                await sleep(upTo: nil)
                continue
            }
            if configuration.idempotent && producerID < 0 {
                do {
                    try await initProducerID()
                } catch {
                    logger.warning("InitProducerId failed", metadata: ["error": "\(error)"])
                    failExpired(error as? KafkaError ?? KafkaError(.connection, "\(error)"))
                    await sleep(upTo: configuration.retryBackoff)
                    continue
                }
            }
            var now = clock.now
            var nextDeadline: ContinuousClock.Instant?
            var byBroker: [Int32: [TopicPartition]] = [:]
            let urgent = flushRequests > 0 || closing
            for tp in Array(queues.keys) {
                let (index, due) = sendableIndex(tp, now: now, urgent: urgent)
                if let due { nextDeadline = min(nextDeadline ?? due, due) }
                guard index != nil else { continue }
                var leader = leaders[tp]
                if leader == nil {
                    do {
                        leader = try await client.leader(for: tp)
                        leaders[tp] = leader
                    } catch {
                        if let index { failUnsent(tp, index, error as? KafkaError ?? KafkaError(.connection, "\(error)")) }
                        let retry = clock.now + configuration.retryBackoff
                        nextDeadline = min(nextDeadline ?? retry, retry)
                        continue
                    }
                }
                if let leader { byBroker[leader, default: []].append(tp) }
            }
            now = clock.now
            var sent = false
            for (broker, tps) in byBroker {
                // The connection first, then the writes without a suspension between them: each
                // request must reach the broker in the order its sequence numbers were assigned.
                let connection: BrokerConnection
                do {
                    connection = try await client.connection(broker: broker)
                } catch {
                    let kafkaError = error as? KafkaError ?? KafkaError(.connection, "\(error)")
                    for tp in tps {
                        leaders[tp] = nil
                        if let index = sendableIndex(tp, now: clock.now, urgent: urgent).0 { failUnsent(tp, index, kafkaError) }
                    }
                    let retry = clock.now + configuration.retryBackoff
                    nextDeadline = min(nextDeadline ?? retry, retry)
                    continue
                }
                while brokerInFlight[broker, default: 0] < configuration.maxInFlightRequestsPerBroker {
                    var payload: [(tp: TopicPartition, id: UInt64, bytes: ByteBuffer)] = []
                    for tp in tps {
                        guard let index = sendableIndex(tp, now: now, urgent: urgent).0 else { continue }
                        guard let bytes = prepare(tp, index) else { continue }
                        payload.append((tp, queues[tp]![index].id, bytes))
                    }
                    guard !payload.isEmpty else { break }
                    brokerInFlight[broker, default: 0] += 1
                    statistics.requests += 1
                    sent = true
                    let request = ProduceRequest(
                        acks: configuration.acks.rawValue, timeoutMs: Int32(clamping: configuration.requestTimeout.milliseconds),
                        topics: Dictionary(grouping: payload, by: { $0.tp.topic }).map { topic, items in
                            ProduceRequest.TopicData(topic: topic, partitions: items.map { .init(partition: $0.tp.partition, records: $0.bytes) })
                        })
                    let batches = payload.map { ($0.tp, $0.id) }
                    let written: BrokerConnection.Written<ProduceRequest>
                    do {
                        written = try connection.write(request, timeout: configuration.requestTimeout)
                    } catch {
                        handle(.failure(error), broker: broker, batches: batches)
                        break
                    }
                    Task {
                        let result: Result<ProduceRequest.Response, Error>
                        do { result = .success(try await written.response()) } catch { result = .failure(error) }
                        self.handle(result, broker: broker, batches: batches)
                    }
                }
            }
            if !sent { await sleep(upTo: nextDeadline.map { max($0 - clock.now, .milliseconds(1)) }) }
        }
        for w in idleWaiters { w.resume() }
        idleWaiters.removeAll()
    }

    /// Seals batch `index` of `tp` if needed, marks it in flight, and returns its bytes.
    private func prepare(_ tp: TopicPartition, _ index: Int) -> ByteBuffer? {
        let (id, retried) = (queues[tp]![index].id, queues[tp]![index].attempts > 0)
        do {
            // In place: a copy of the batch would share its buffer and make sealing copy every record.
            let bytes = try queues[tp]![index].prepareToSend(
                codec: configuration.compression, producerID: producerID, producerEpoch: producerEpoch,
                idempotent: configuration.idempotent, nextSequence: &sequences[tp, default: 0])
            if retried { statistics.retriedBatches += 1 } else { statistics.batches += 1 }
            partitionInFlight[tp, default: 0] += 1
            inFlightBatches += 1
            return bytes
        } catch {
            complete(tp, id, .failure(error as? KafkaError ?? KafkaError("\(error)")))
            return nil
        }
    }

    private func initProducerID() async throws {
        let response = try await client.send(InitProducerIDRequest(transactionTimeoutMs: 60000), to: nil)
        guard response.errorCode == .none else { throw KafkaError.broker(response.errorCode, "InitProducerId") }
        producerID = response.producerID
        producerEpoch = response.epoch
        sequences.removeAll()
        logger.debug("producer id", metadata: ["producer_id": "\(producerID)", "epoch": "\(producerEpoch)"])
    }

    private func handle(_ result: Result<ProduceRequest.Response, Error>, broker: Int32, batches: [(TopicPartition, UInt64)]) {
        brokerInFlight[broker, default: 1] -= 1
        for (tp, id) in batches {
            partitionInFlight[tp, default: 1] -= 1
            if partitionInFlight[tp] == 0 { partitionInFlight[tp] = nil }
            inFlightBatches -= 1
            if let i = queues[tp]?.firstIndex(where: { $0.id == id }) { queues[tp]![i].inFlight = false }
        }
        switch result {
        case .failure(let error):
            let kafkaError = error as? KafkaError ?? KafkaError(.connection, "\(error)")
            leaders.removeAll()
            for (tp, id) in batches { retryLater(tp, id, kafkaError) }
        case .success(let response):
            var answered: Set<TopicPartition> = []
            for (topic, parts) in response.topics {
                for p in parts {
                    let tp = TopicPartition(topic: topic, partition: p.partition)
                    guard let id = batches.first(where: { $0.0 == tp })?.1, answered.insert(tp).inserted else { continue }
                    switch p.errorCode {
                    case .none:
                        complete(tp, id, .success(p.baseOffset))
                    case .duplicateSequenceNumber:
                        statistics.duplicateBatches += 1
                        complete(tp, id, .success(-1))
                    case .unknownProducerID, .outOfOrderSequenceNumber, .invalidProducerEpoch:
                        let error = KafkaError.broker(p.errorCode, "Produce to \(tp)")
                        if queues[tp]?.first?.id != id {
                            // An earlier batch of this partition is still unacknowledged (it failed
                            // and will be resent first), so this one arrived out of order: resend it
                            // after that one, under the same identity.
                            retryLater(tp, id, error)
                        } else {
                            // The broker lost or rejected our producer state: start a new identity and
                            // reseal what has not been acknowledged (Java client's epoch-bump recovery).
                            logger.warning("resetting producer id", metadata: ["partition": "\(tp)", "error": "\(p.errorCode)"])
                            resetProducerIdentity()
                            retryLater(tp, id, error)
                        }
                    default:
                        let error = KafkaError.broker(p.errorCode, "Produce to \(tp)")
                        if error.isRetriable {
                            leaders[tp] = nil
                            Task { [client] in await client.invalidate(topic: tp.topic) }
                            retryLater(tp, id, error)
                        } else {
                            complete(tp, id, .failure(error))
                        }
                    }
                }
            }
            for (tp, id) in batches where !answered.contains(tp) {
                retryLater(tp, id, KafkaError.malformed("Produce response lacks \(tp)"))
            }
        }
        signal()
    }

    private func resetProducerIdentity() {
        guard producerID >= 0 else { return }
        statistics.producerIDResets += 1
        producerID = -1
        producerEpoch = -1
        sequences.removeAll()
    }

    private static let producerStateErrors: Set<BrokerErrorCode> = [.unknownProducerID, .outOfOrderSequenceNumber, .invalidProducerEpoch]

    private func retryLater(_ tp: TopicPartition, _ id: UInt64, _ error: KafkaError) {
        guard let i = queues[tp]?.firstIndex(where: { $0.id == id }) else { return }
        let retriable = error.isRetriable || error.brokerCode.map(Self.producerStateErrors.contains) == true
        guard retriable else {
            complete(tp, id, .failure(error))
            return
        }
        let now = clock.now
        if now - queues[tp]![i].created > configuration.deliveryTimeout {
            complete(tp, id, .failure(KafkaError(.deliveryFailed, "delivery to \(tp) failed: \(error.message)", brokerCode: error.brokerCode)))
            return
        }
        queues[tp]![i].attempts += 1
        queues[tp]![i].lastError = error
        queues[tp]![i].retryAt = now + configuration.retryBackoff
        logger.debug("retrying batch", metadata: ["partition": "\(tp)", "attempt": "\(queues[tp]![i].attempts)", "error": "\(error)"])
    }

    /// Batch `index` of `tp` could not even be sent (no leader known): back off before the next
    /// metadata lookup, or fail the batch once its delivery timeout has passed.
    private func failUnsent(_ tp: TopicPartition, _ index: Int, _ error: KafkaError) {
        guard let queue = queues[tp], index < queue.count, !queue[index].inFlight else { return }
        let batch = queue[index]
        if clock.now - batch.created > configuration.deliveryTimeout || !error.isRetriable {
            complete(tp, batch.id, .failure(KafkaError(.deliveryFailed, "delivery to \(tp) failed: \(error.message)", brokerCode: error.brokerCode)))
        } else {
            queues[tp]![index].retryAt = clock.now + configuration.retryBackoff
        }
    }

    private func failExpired(_ error: KafkaError) {
        let now = clock.now
        for (tp, queue) in queues {
            guard let head = queue.first, !head.inFlight else { continue }
            if now - head.created > configuration.deliveryTimeout {
                complete(tp, head.id, .failure(KafkaError(.deliveryFailed, "delivery to \(tp) failed: \(error.message)")))
            }
        }
    }

    /// Removes batch `id` of `tp` and reports each record's outcome.
    private func complete(_ tp: TopicPartition, _ id: UInt64, _ result: Result<Int64, KafkaError>) {
        guard let i = queues[tp]?.firstIndex(where: { $0.id == id }) else { return }
        let batch = queues[tp]!.remove(at: i)
        if queues[tp]!.isEmpty { queues[tp] = nil }
        bufferedBytes -= batch.writer.byteCount
        for (index, delivery) in batch.deliveries {
            switch result {
            case .success(let base):
                delivery(.success(RecordMetadata(topic: tp.topic, partition: tp.partition, offset: base < 0 ? -1 : base + Int64(index))))
            case .failure(let error):
                delivery(.failure(error))
            }
        }
        switch result {
        case .success:
            statistics.recordsDelivered += batch.recordCount
        case .failure(let error):
            statistics.recordsFailed += batch.recordCount
            logger.error("records not delivered", metadata: ["partition": "\(tp)", "count": "\(batch.recordCount)", "error": "\(error)"])
        }
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for w in waiters { w.resume() }
    }
}
