import Logging
import NIOCore

/// Sends records to Kafka in per-partition batches, with acks, idempotence and retries.
///
/// Records accumulate per partition until `batchSize` bytes or `linger` elapse, then one
/// Produce request per leader carries the ready batches. Each partition has at most one batch in
/// flight and a retried batch is resent byte for byte with its original sequence number, so with
/// `idempotent` the broker discards a retry of a batch it already wrote (KIP-98) and order holds.
public actor KafkaProducer {
    public let configuration: KafkaProducerConfiguration
    private let client: KafkaClient
    private let logger: Logger
    private let clock = ContinuousClock()

    private var queues: [TopicPartition: [ProducerBatch]] = [:]
    private var inFlight: Set<TopicPartition> = []
    private var brokerInFlight: [Int32: Int] = [:]
    private var leaders: [TopicPartition: Int32] = [:]
    private var partitionCounts: [String: Int] = [:]
    private var sequences: [TopicPartition: Int32] = [:]
    private var producerID: Int64 = -1
    private var producerEpoch: Int16 = -1
    private var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushRequests = 0
    private var wakeup: CheckedContinuation<Void, Never>?
    private var closing = false
    private var closed = false
    private var sender: Task<Void, Never>?

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
        append(tp, key: key, value: value, headers: headers, timestamp: timestamp ?? WallClock.nowMillis(), delivery: onDelivery)
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

    private func resolve(topic: String, key: [UInt8]?, partition: Int32?) async throws -> TopicPartition {
        guard !closing else { throw KafkaError(.closed, "producer closed") }
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
        // Mutate in place through the dictionary (one hash, no copy): a copied-out batch would
        // share its buffer and force a copy of all its bytes on every append.
        let (before, after) = Self.append(to: &queues[tp, default: []], tp: tp, key: key, value: value, headers: headers,
                                          timestamp: timestamp, delivery: delivery, batchSize: configuration.batchSize, now: now)
        bufferedBytes += after - before
        if after >= configuration.batchSize { signal() }
    }

    private static func append(to queue: inout [ProducerBatch], tp: TopicPartition, key: [UInt8]?, value: [UInt8]?,
                               headers: [KafkaHeader], timestamp: Int64, delivery: ProducerBatch.Delivery?,
                               batchSize: Int, now: ContinuousClock.Instant) -> (Int, Int) {
        if queue.last.map({ $0.sealed != nil || $0.writer.byteCount >= batchSize }) ?? true {
            queue.append(ProducerBatch(partition: tp, capacity: min(batchSize + 512, 1 << 20), now: now))
        }
        let last = queue.count - 1
        let before = queue[last].writer.byteCount
        queue[last].writer.append(key: key, value: value, headers: headers, timestamp: timestamp)
        queue[last].deliveries.append(delivery)
        return (before, queue[last].writer.byteCount)
    }

    // MARK: Sending

    private func signal() {
        wakeup?.resume()
        wakeup = nil
    }

    private func sleep(upTo timeout: Duration) async {
        guard wakeup == nil else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.signal()
        }
        await withCheckedContinuation { wakeup = $0 }
        timer.cancel()
    }

    private var isIdle: Bool { queues.values.allSatisfy(\.isEmpty) && inFlight.isEmpty }

    private func waitUntilIdle() async {
        while !isIdle {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    private func runSender() async {
        while !(closed && isIdle) {
            if isIdle {
                for w in idleWaiters { w.resume() }
                idleWaiters.removeAll()
                if closed { break }
                await sleep(upTo: .seconds(1))
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
            let now = clock.now
            var nextDeadline = now + configuration.linger
            var byBroker: [Int32: [TopicPartition]] = [:]
            let urgent = flushRequests > 0 || closing
            for (tp, queue) in queues where !queue.isEmpty && !inFlight.contains(tp) {
                let batch = queue[0]
                let lingerDue = batch.created + configuration.linger
                let ready = urgent || queue.count > 1 || batch.writer.byteCount >= configuration.batchSize || lingerDue <= now
                if !ready { nextDeadline = min(nextDeadline, lingerDue); continue }
                if batch.retryAt > now { nextDeadline = min(nextDeadline, batch.retryAt); continue }
                var leader = leaders[tp]
                if leader == nil {
                    do {
                        leader = try await client.leader(for: tp)
                        leaders[tp] = leader
                    } catch {
                        retryLater(tp, error as? KafkaError ?? KafkaError(.connection, "\(error)"))
                        continue
                    }
                }
                if let leader, !inFlight.contains(tp) { byBroker[leader, default: []].append(tp) }
            }
            var sent = false
            for (broker, tps) in byBroker where brokerInFlight[broker, default: 0] < configuration.maxInFlightRequestsPerBroker {
                var payload: [(TopicPartition, ByteBuffer)] = []
                for tp in tps {
                    guard var batch = queues[tp]?.first, !inFlight.contains(tp) else { continue }
                    if batch.sealed == nil {
                        do {
                            try seal(&batch)
                        } catch {
                            completeHead(tp, .failure(error as? KafkaError ?? KafkaError("\(error)")))
                            continue
                        }
                        queues[tp]![0] = batch
                    }
                    payload.append((tp, batch.sealed!))
                    inFlight.insert(tp)
                }
                guard !payload.isEmpty else { continue }
                brokerInFlight[broker, default: 0] += 1
                sent = true
                let request = ProduceRequest(
                    acks: configuration.acks.rawValue, timeoutMs: Int32(clamping: configuration.requestTimeout.milliseconds),
                    topics: Dictionary(grouping: payload, by: { $0.0.topic }).map { topic, items in
                        ProduceRequest.TopicData(topic: topic, partitions: items.map { .init(partition: $0.0.partition, records: $0.1) })
                    })
                let client = self.client
                let partitions = payload.map(\.0)
                Task {
                    let result: Result<ProduceRequest.Response, Error>
                    do { result = .success(try await client.send(request, to: broker)) } catch { result = .failure(error) }
                    self.handle(result, broker: broker, partitions: partitions)
                }
            }
            if !sent { await sleep(upTo: max(nextDeadline - clock.now, .milliseconds(1))) }
        }
        for w in idleWaiters { w.resume() }
        idleWaiters.removeAll()
    }

    private func seal(_ batch: inout ProducerBatch) throws {
        var base: Int32 = -1
        if configuration.idempotent {
            base = sequences[batch.partition, default: 0]
            let next = Int64(base) + Int64(batch.writer.count)
            sequences[batch.partition] = next > Int64(Int32.max) ? Int32(next - Int64(Int32.max) - 1) : Int32(next)
        }
        batch.sealed = try batch.writer.seal(codec: configuration.compression, producerID: producerID,
                                             producerEpoch: producerEpoch, baseSequence: base, allocator: ByteBufferAllocator())
    }

    private func initProducerID() async throws {
        let response = try await client.send(InitProducerIDRequest(transactionTimeoutMs: 60000), to: nil)
        guard response.errorCode == .none else { throw KafkaError.broker(response.errorCode, "InitProducerId") }
        producerID = response.producerID
        producerEpoch = response.epoch
        sequences.removeAll()
        logger.debug("producer id", metadata: ["producer_id": "\(producerID)", "epoch": "\(producerEpoch)"])
    }

    private func handle(_ result: Result<ProduceRequest.Response, Error>, broker: Int32, partitions: [TopicPartition]) {
        brokerInFlight[broker, default: 1] -= 1
        for tp in partitions { inFlight.remove(tp) }
        switch result {
        case .failure(let error):
            let kafkaError = error as? KafkaError ?? KafkaError(.connection, "\(error)")
            leaders.removeAll()
            for tp in partitions { retryLater(tp, kafkaError) }
        case .success(let response):
            var answered: Set<TopicPartition> = []
            for (topic, parts) in response.topics {
                for p in parts {
                    let tp = TopicPartition(topic: topic, partition: p.partition)
                    guard partitions.contains(tp), answered.insert(tp).inserted else { continue }
                    switch p.errorCode {
                    case .none:
                        completeHead(tp, .success(p.baseOffset))
                    case .duplicateSequenceNumber:
                        completeHead(tp, .success(-1))
                    case .unknownProducerID, .outOfOrderSequenceNumber, .invalidProducerEpoch:
                        // The broker lost or rejected our producer state: start a new identity and
                        // reseal what has not been acknowledged (Java client's epoch-bump recovery).
                        logger.warning("resetting producer id", metadata: ["partition": "\(tp)", "error": "\(p.errorCode)"])
                        resetProducerIdentity()
                        retryLater(tp, KafkaError.broker(p.errorCode, "Produce to \(tp)"))
                    default:
                        let error = KafkaError.broker(p.errorCode, "Produce to \(tp)")
                        if error.isRetriable {
                            leaders[tp] = nil
                            Task { [client] in await client.invalidate(topic: tp.topic) }
                            retryLater(tp, error)
                        } else {
                            completeHead(tp, .failure(error))
                        }
                    }
                }
            }
            for tp in partitions where !answered.contains(tp) {
                retryLater(tp, KafkaError.malformed("Produce response lacks \(tp)"))
            }
        }
        signal()
    }

    private func resetProducerIdentity() {
        producerID = -1
        producerEpoch = -1
        sequences.removeAll()
        for (tp, queue) in queues where !queue.isEmpty {
            for i in queue.indices { queues[tp]![i].sealed = nil }
        }
    }

    private func retryLater(_ tp: TopicPartition, _ error: KafkaError) {
        guard var queue = queues[tp], !queue.isEmpty else { return }
        let now = clock.now
        let producerState: Set<BrokerErrorCode> = [.unknownProducerID, .outOfOrderSequenceNumber, .invalidProducerEpoch]
        let retriable = error.isRetriable || error.brokerCode.map(producerState.contains) == true
        guard retriable else {
            completeHead(tp, .failure(error))
            return
        }
        if now - queue[0].created > configuration.deliveryTimeout {
            completeHead(tp, .failure(KafkaError(.deliveryFailed, "delivery to \(tp) failed: \(error.message)", brokerCode: error.brokerCode)))
            return
        }
        queue[0].attempts += 1
        queue[0].lastError = error
        queue[0].retryAt = now + configuration.retryBackoff
        queues[tp] = queue
        logger.debug("retrying batch", metadata: ["partition": "\(tp)", "attempt": "\(queue[0].attempts)", "error": "\(error)"])
    }

    private func failExpired(_ error: KafkaError) {
        let now = clock.now
        for (tp, queue) in queues where !queue.isEmpty && !inFlight.contains(tp) {
            if now - queue[0].created > configuration.deliveryTimeout {
                completeHead(tp, .failure(KafkaError(.deliveryFailed, "delivery to \(tp) failed: \(error.message)")))
            }
        }
    }

    /// Removes the head batch of `tp` and reports each record's outcome.
    private func completeHead(_ tp: TopicPartition, _ result: Result<Int64, KafkaError>) {
        guard var queue = queues[tp], !queue.isEmpty else { return }
        let batch = queue.removeFirst()
        queues[tp] = queue.isEmpty ? nil : queue
        bufferedBytes -= batch.writer.byteCount
        for (i, delivery) in batch.deliveries.enumerated() {
            guard let delivery else { continue }
            switch result {
            case .success(let base):
                delivery(.success(RecordMetadata(topic: tp.topic, partition: tp.partition, offset: base < 0 ? -1 : base + Int64(i))))
            case .failure(let error):
                delivery(.failure(error))
            }
        }
        if case .failure(let error) = result {
            logger.error("records not delivered", metadata: ["partition": "\(tp)", "count": "\(batch.recordCount)", "error": "\(error)"])
        }
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for w in waiters { w.resume() }
    }
}
