import Collectors
import CryptoVizCore
import Pipeline
import Server
import Synchronization

/// Builds the dashboard's pipeline statistics from the live stages.
final class PipelineStatsReport: Sendable {
    private let processor: StreamProcessor?
    private let publisher: TickPublisher?
    private let collectors: CollectorService?
    private let bus: (any Bus)?
    /// `memory`, `kafka` or `none` (a read-only server: no bus at all), shown in the stats.
    private let busKind: String
    private let tail: HotTail
    /// Starts with the count at start-up, so the first request already gets a rate (since start).
    private let samples: Mutex<[(millis: Int64, total: Int)]>

    init(processor: StreamProcessor?, publisher: TickPublisher?, collectors: CollectorService?, bus: (any Bus)?,
         busKind: String, tail: HotTail) {
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
                emptyPolls: Int64(health.emptyPolls), lastEmptyReason: health.lastEmptyReason))
        }
        return PipelineStatsDTO(
            generatedAtMs: now, ingestRatePerSecond: rate, ticksTotal: Int64(ingested),
            freshnessP50Ms: processorStats?.freshnessP50Millis.map(Double.init),
            freshnessP95Ms: processorStats?.freshnessP95Millis.map(Double.init),
            partitions: partitions, providers: providers, bus: busKind)
    }
}
