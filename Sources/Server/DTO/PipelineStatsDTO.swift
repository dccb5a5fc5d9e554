import CryptoVizCore

/// A snapshot of the pipeline's health for the Performance view and monitoring.
public struct PipelineStatsDTO: Sendable, Codable, Hashable {
    /// When the snapshot was taken (Unix ms).
    public var generatedAtMs: Int64
    /// Ticks accepted per second over the recent window (about the last minute).
    public var ingestRatePerSecond: Double
    /// Ticks accepted since start.
    public var ticksTotal: Int64
    /// Median and 95th percentile of lake commit time − source time over recent ticks (ms).
    public var freshnessP50Ms: Double?
    public var freshnessP95Ms: Double?
    /// Stream-processor lag per bus partition.
    public var partitions: [PartitionLagDTO]
    public var providers: [ProviderHealthDTO]
    /// The bus live ticks come from: `memory` (in-process), `kafka`, or `none` for a read-only
    /// server over a lake (no live ticks, no processor: rates stay 0 and lists empty). Nil when
    /// the source does not say.
    public var bus: String?
    /// Each streamed venue's connections (empty when no venue is streamed).
    public var streams: [StreamHealthDTO]?
    /// Source → lake commit latency per source, over the processor's recent commits.
    public var lakeFreshness: [SourceFreshnessDTO]?
    /// Streamed trades and closed klines published by this process's collectors, and the klines
    /// its processor committed to the candles table (nil when it does neither).
    public var streamEvents: StreamEventsDTO?

    public init(
        generatedAtMs: Int64, ingestRatePerSecond: Double, ticksTotal: Int64,
        freshnessP50Ms: Double?, freshnessP95Ms: Double?, partitions: [PartitionLagDTO],
        providers: [ProviderHealthDTO], bus: String? = nil, streams: [StreamHealthDTO]? = nil,
        lakeFreshness: [SourceFreshnessDTO]? = nil, streamEvents: StreamEventsDTO? = nil
    ) {
        self.streamEvents = streamEvents
        self.bus = bus
        self.streams = streams
        self.lakeFreshness = lakeFreshness
        self.generatedAtMs = generatedAtMs
        self.ingestRatePerSecond = ingestRatePerSecond
        self.ticksTotal = ticksTotal
        self.freshnessP50Ms = freshnessP50Ms
        self.freshnessP95Ms = freshnessP95Ms
        self.partitions = partitions
        self.providers = providers
    }
}

/// How far the stream processor trails one bus partition.
public struct PartitionLagDTO: Sendable, Codable, Hashable {
    public var topic: String
    public var partition: Int
    /// Next offset the processor will commit (nil before the first commit).
    public var committedOffset: Int64?
    /// The partition's end offset as last seen.
    public var endOffset: Int64?
    /// Records published but not yet committed to the lake.
    public var lag: Int64

    public init(topic: String, partition: Int, committedOffset: Int64?, endOffset: Int64?, lag: Int64) {
        self.topic = topic
        self.partition = partition
        self.committedOffset = committedOffset
        self.endOffset = endOffset
        self.lag = lag
    }
}

/// A provider's recent behaviour as seen by its collector.
public struct ProviderHealthDTO: Sendable, Codable, Hashable {
    /// "healthy", "degraded" (recent errors or rate limiting) or "down" (circuit open / silent).
    public enum Status: String, Sendable, Codable, Hashable { case healthy, degraded, down }

    public var provider: ProviderID
    public var status: Status
    public var requestsTotal: Int64
    public var errorsByKind: [ErrorCountDTO]
    /// Times the collector waited for its rate limiter or a 429 Retry-After.
    public var rateLimitWaits: Int64
    public var lastSuccessMs: Int64?
    /// Last error, already safe to show (no keys or URLs with secrets).
    public var lastError: String?
    /// Polls that answered but yielded no tick, and why the last one did.
    public var emptyPolls: Int64
    public var lastEmptyReason: String?
    /// Ticks not handed on because the collector had delivered the same event already (the
    /// venue's other transport, or a cached answer).
    public var repeatsDropped: Int64

    public init(
        provider: ProviderID, status: Status, requestsTotal: Int64, errorsByKind: [ErrorCountDTO],
        rateLimitWaits: Int64, lastSuccessMs: Int64?, lastError: String?, emptyPolls: Int64 = 0, lastEmptyReason: String? = nil,
        repeatsDropped: Int64 = 0
    ) {
        self.provider = provider
        self.status = status
        self.requestsTotal = requestsTotal
        self.errorsByKind = errorsByKind
        self.rateLimitWaits = rateLimitWaits
        self.lastSuccessMs = lastSuccessMs
        self.lastError = lastError
        self.emptyPolls = emptyPolls
        self.lastEmptyReason = lastEmptyReason
        self.repeatsDropped = repeatsDropped
    }
}

/// A count of errors of one kind ("timeout", "http_5xx", "rate_limited", "decode", ...).
public struct ErrorCountDTO: Sendable, Codable, Hashable {
    public var kind: String
    public var count: Int64

    public init(kind: String, count: Int64) {
        self.kind = kind
        self.count = count
    }
}
