import Collectors
import CryptoVizCore
import Pipeline
import Server
import Synchronization

/// Builds the dashboard's pipeline statistics from the live stages.
final class PipelineStatsReport: Sendable {
    private let processor: StreamProcessor?
    private let publisher: TickPublisher?
    private let events: MarketEventPublisher?
    private let collectors: CollectorService?
    private let bus: (any Bus)?
    /// `memory`, `kafka` or `none` (a read-only server: no bus at all), shown in the stats.
    private let busKind: String
    private let tail: HotTail
    /// Starts with the count at start-up, so the first request already gets a rate (since start).
    private let samples: Mutex<[(millis: Int64, total: Int)]>
    /// Per streamed venue, (time, messages so far) of recent snapshots, for messages per second.
    private let streamSamples = Mutex<[ProviderID: [(millis: Int64, messages: Int)]]>([:])

    init(processor: StreamProcessor?, publisher: TickPublisher?, events: MarketEventPublisher? = nil, collectors: CollectorService?,
         bus: (any Bus)?, busKind: String, tail: HotTail) {
        self.events = events
        self.busKind = busKind
        self.processor = processor
        self.publisher = publisher
        self.collectors = collectors
        self.bus = bus
        self.tail = tail
        samples = Mutex([(currentUnixMillis(), tail.counts().ingested)])
    }

    func snapshot() async -> PipelineStatsDTO {
        let now = currentUnixMillis()
        let ingested = tail.counts().ingested
        // Rate over the last minute of samples (one per call; the oldest kept as the base).
        let rate = samples.withLock { samples -> Double in
            samples.append((now, ingested))
            while samples.count > 2 && samples[1].millis <= now - 60_000 { samples.removeFirst() }
            guard let first = samples.first, now > first.millis else { return 0 }
            return Double(ingested - first.total) * 1000 / Double(now - first.millis)
        }
        let processorStats = await processor?.currentStats()
        var partitions: [PartitionLagDTO] = []
        if let bus = bus as? InProcessBus {
            let ends = await bus.endOffsets()
            for (partition, end) in ends where partition.topic == BusTopics.rawData {
                let committed = processorStats?.committedOffsets[partition.description]
                partitions.append(PartitionLagDTO(topic: partition.topic, partition: Int(partition.partition),
                                                  committedOffset: committed, endOffset: end, lag: max(0, end - (committed ?? 0))))
            }
        } else if let processorStats {
            for (name, offset) in processorStats.committedOffsets {
                let parts = name.split(separator: "[")
                let p = Int(parts.last?.dropLast() ?? "") ?? 0
                partitions.append(PartitionLagDTO(topic: String(parts.first ?? ""), partition: p, committedOffset: offset, endOffset: nil, lag: 0))
            }
        }
        partitions.sort { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        var providers: [ProviderHealthDTO] = []
        for health in await collectors?.health() ?? [] {
            let status: ProviderHealthDTO.Status =
                !health.enabled || health.circuit == .open
                    ? .down : (health.consecutiveFailures > 0 || health.consecutiveEmptyPolls > 0 ? .degraded : .healthy)
            providers.append(ProviderHealthDTO(
                provider: health.provider, status: status,
                requestsTotal: Int64(health.successes + health.errorsByKind.values.reduce(0, +)),
                errorsByKind: health.errorsByKind.sorted { $0.key < $1.key }.map { ErrorCountDTO(kind: $0.key, count: Int64($0.value)) },
                rateLimitWaits: Int64(health.rateLimitWaits), lastSuccessMs: health.lastSuccessMillis,
                lastError: health.lastError ?? health.disabledReason,
                emptyPolls: Int64(health.emptyPolls), lastEmptyReason: health.lastEmptyReason,
                repeatsDropped: Int64(health.repeatsDropped)))
        }
        var streams: [StreamHealthDTO] = []
        for health in await collectors?.streamHealth() ?? [] {
            streams.append(streamDTO(health, now: now))
        }
        let lakeFreshness = (processorStats?.freshnessBySource ?? [:]).sorted { $0.key < $1.key }.compactMap { source, figures in
            figures.count == 3 ? SourceFreshnessDTO(source: ProviderID(source), p50Ms: Double(figures[0]), p95Ms: Double(figures[1]),
                                                     samples: Int(figures[2])) : nil
        }
        return PipelineStatsDTO(
            generatedAtMs: now, ingestRatePerSecond: rate, ticksTotal: Int64(ingested),
            freshnessP50Ms: processorStats?.freshnessP50Millis.map(Double.init),
            freshnessP95Ms: processorStats?.freshnessP95Millis.map(Double.init),
            partitions: partitions, providers: providers, bus: busKind, streams: streams, lakeFreshness: lakeFreshness,
            streamEvents: await streamEventsDTO(processorStats))
    }

    /// What this process did with streamed trades and closed klines, when it publishes or writes them.
    private func streamEventsDTO(_ processorStats: StreamProcessor.Stats?) async -> StreamEventsDTO? {
        let published = await events?.currentStats()
        let written = processorStats?.streamCandles
        let trades = processorStats?.streamTrades
        guard published != nil || written != nil || trades != nil else { return nil }
        return StreamEventsDTO(tradesPublished: Int64(published?.trades ?? 0), candlesPublished: Int64(published?.candles ?? 0),
                               unresolved: Int64(published?.unresolved ?? 0), dropped: Int64(published?.dropped ?? 0),
                               candlesCommitted: Int64(written?.rows ?? 0), tradesCommitted: Int64(trades?.rows ?? 0))
    }

    /// One venue's stream health, with its message rate over the samples of the last ~10 s.
    private func streamDTO(_ health: StreamHealth, now: Int64) -> StreamHealthDTO {
        let rate = streamSamples.withLock { all -> Double in
            var samples = all[health.provider] ?? []
            samples.append((now, health.messages))
            while samples.count > 2 && samples[1].millis <= now - 10_000 { samples.removeFirst() }
            all[health.provider] = samples
            guard let first = samples.first, now > first.millis else { return 0 }
            return Double(health.messages - first.messages) * 1000 / Double(now - first.millis)
        }
        return StreamHealthDTO(
            provider: health.provider, state: health.state.rawValue, openConnections: health.openConnections,
            messagesTotal: Int64(health.messages), messagesPerSecond: rate,
            lastMessageAgeMs: health.lastMessageMillis.map { max(0, now - $0) }, reconnects: Int64(health.reconnects),
            stalls: Int64(health.stalls), gapsFound: Int64(health.gapsFound), tradesRepaired: Int64(health.tradesRepaired),
            tradesUnfilled: Int64(health.tradesUnfilled), sequenceGaps: Int64(health.sequenceGaps),
            messagesMissed: Int64(health.messagesMissed), duplicatesDropped: Int64(health.duplicatesDropped),
            malformed: Int64(health.malformedByReason.values.reduce(0, +)), lastError: health.lastError)
    }
}
