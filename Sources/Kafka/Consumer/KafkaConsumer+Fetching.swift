import NIOCore

/// Fetching: one Fetch request per leader, then the records are checked (CRC-32C) and decoded
/// away from the actor, partitions in parallel, so that commits, heartbeats and the
/// application's calls are not held up by decoding megabytes.
///
/// (A pipelined variant that sent the next fetch before decoding was measured: +6% at 1 KiB
/// records on average over three interleaved runs, within run-to-run noise, so the simpler
/// cycle stays. See docs/benchmarks/kafka.md.)
extension KafkaConsumer {
    /// One partition's fetched bytes waiting to be decoded, from the position they were fetched at.
    struct FetchedPartition: Sendable {
        var partition: TopicPartition
        var data: ByteBuffer
        var from: Int64
    }

    /// Starts a fetch unless one is running.
    func startFetchIfIdle() {
        guard fetchTask == nil, !positions.isEmpty, !closed else { return }
        // The task runs on this actor, so it cannot end before `fetchTask` records it.
        fetchTask = Task { await self.runFetch() }
    }

    private func runFetch() async {
        do {
            try await fetchOnce()
        } catch is CancellationError {
        } catch {
            if fetchFailure == nil { fetchFailure = error }
        }
        fetchTask = nil
        wakeRecordWaiters()
    }

    /// Cancels the fetch and waits for it to end.
    func stopFetching() async {
        let running = fetchTask
        running?.cancel()
        await running?.value
    }

    func wakeRecordWaiters() {
        let waiters = recordWaiters
        recordWaiters.removeAll()
        for w in waiters { w.resume() }
    }

    /// Waits until a fetch ends; a cancelled caller stops waiting at once (the fetch goes on,
    /// and what it brings waits in `buffered` for the next call).
    func waitForFetchProgress() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { recordWaiters.append($0) }
        } onCancel: {
            Task { await self.wakeRecordWaiters() }
        }
    }

    private func fetchOnce() async throws {
        let epoch = assignmentEpoch
        let snapshot = positions
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in snapshot.keys.sorted() {
            do {
                byLeader[try await client.leader(for: tp), default: []].append(tp)
            } catch {
                logger.debug("no leader", metadata: ["partition": "\(tp)", "error": "\(error)"])
                await client.invalidate(topic: tp.topic)
            }
        }
        guard !byLeader.isEmpty else {
            try await Task.sleep(for: configuration.retryBackoff)
            return
        }
        let started = clock.now
        let results = await send(byLeader, positions: snapshot)
        guard epoch == assignmentEpoch else { return }

        var work: [FetchedPartition] = []
        var failure: Error?
        for result in results {
            let response: FetchRequest.Response
            switch result {
            case .success(let r): response = r
            case .failure(let e): failure = e; continue
            }
            for (topic, parts) in response.topics {
                for p in parts {
                    let tp = TopicPartition(topic: topic, partition: p.partition)
                    guard let position = positions[tp], position == snapshot[tp] else { continue }
                    switch p.errorCode {
                    case .none:
                        guard let data = p.records, data.readableBytes > 0 else { continue }
                        work.append(FetchedPartition(partition: tp, data: data, from: position))
                    case .offsetOutOfRange:
                        let reset = try await client.listOffsets([tp], timestamp: configuration.autoOffsetReset == .earliest ? -2 : -1)
                        if epoch == assignmentEpoch, positions[tp] == position, let offset = reset[tp] {
                            logger.warning("offset out of range, resetting", metadata: ["partition": "\(tp)", "offset": "\(offset)"])
                            positions[tp] = offset
                        }
                    default:
                        if p.errorCode.isRetriable {
                            await client.invalidate(topic: topic)
                        } else {
                            throw KafkaError.broker(p.errorCode, "Fetch \(tp)")
                        }
                    }
                }
            }
        }

        let decoded = await Self.decode(work)
        guard epoch == assignmentEpoch else { return }
        var got = 0
        var decodeFailure: Error?
        for (item, result) in zip(work, decoded) where positions[item.partition] == item.from {
            switch result {
            case .success(let (records, next)):
                if let last = records.last {
                    positions[item.partition] = last.offset + 1
                } else if let next, next > item.from {
                    positions[item.partition] = next
                }
                buffered += records
                got += records.count
            case .failure(let error):
                // The position stays: the batch is fetched, and its error reported, again.
                decodeFailure = decodeFailure ?? error
            }
        }
        if let decodeFailure { throw decodeFailure }
        if got == 0 {
            if let failure { logger.debug("fetch failed", metadata: ["error": "\(failure)"]) }
            // A broker that answers an empty fetch at once must not turn this into a busy loop.
            if clock.now - started < .milliseconds(20) { try await Task.sleep(for: failure == nil ? .milliseconds(20) : configuration.retryBackoff) }
        }
    }

    /// One Fetch request per leader, concurrently.
    private func send(_ byLeader: [Int32: [TopicPartition]], positions snapshot: [TopicPartition: Int64]) async -> [Result<FetchRequest.Response, Error>] {
        let config = configuration
        let client = self.client
        return await withTaskGroup(of: Result<FetchRequest.Response, Error>.self) { group in
            for (broker, tps) in byLeader {
                let topics = Dictionary(grouping: tps, by: \.topic).map { topic, items in
                    (topic, items.map { FetchRequest.PartitionRequest(partition: $0.partition, offset: snapshot[$0]!, maxBytes: config.maxPartitionFetchBytes) })
                }
                let request = FetchRequest(maxWaitMs: Int32(clamping: config.fetchMaxWait.milliseconds), minBytes: config.fetchMinBytes,
                                           maxBytes: config.fetchMaxBytes, topics: topics)
                group.addTask {
                    do { return .success(try await client.send(request, to: broker, extraWait: config.fetchMaxWait)) } catch { return .failure(error) }
                }
            }
            var all: [Result<FetchRequest.Response, Error>] = []
            for await r in group { all.append(r) }
            return all
        }
    }

    /// Checks and decodes fetched partitions away from the actor (nonisolated), partitions in
    /// parallel: the fetch loop waits for this, so it is the part of a round trip cores can shorten.
    private nonisolated static func decode(_ work: [FetchedPartition]) async -> [Result<(records: [ConsumerRecord], nextOffset: Int64?), Error>] {
        func one(_ item: FetchedPartition) -> Result<(records: [ConsumerRecord], nextOffset: Int64?), Error> {
            Result {
                try RecordBatchReader.decode(item.data, topic: item.partition.topic, partition: item.partition.partition,
                                             fromOffset: item.from)
            }
        }
        guard work.count > 1 else { return work.map(one) }
        return await withTaskGroup(of: (Int, Result<(records: [ConsumerRecord], nextOffset: Int64?), Error>).self) { group in
            for (index, item) in work.enumerated() { group.addTask { (index, one(item)) } }
            var results = [Result<(records: [ConsumerRecord], nextOffset: Int64?), Error>?](repeating: nil, count: work.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}
