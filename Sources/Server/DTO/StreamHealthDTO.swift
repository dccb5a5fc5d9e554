import CryptoVizCore

/// One venue's WebSocket streams as the Performance view shows them.
public struct StreamHealthDTO: Sendable, Codable, Hashable {
    public var provider: ProviderID
    /// `connecting`, `open`, `backoff` (waiting to reconnect) or `stopped`.
    public var state: String
    public var openConnections: Int
    /// Frames received (data and control) since start, and per second over the last ~10 s.
    public var messagesTotal: Int64
    public var messagesPerSecond: Double
    /// Milliseconds since the last frame (nil before the first).
    public var lastMessageAgeMs: Int64?
    public var reconnects: Int64
    /// Reconnects caused by the no-message watchdog.
    public var stalls: Int64
    /// Holes in trade ids found, trades recovered from REST, trades the venue could not give back.
    public var gapsFound: Int64
    public var tradesRepaired: Int64
    public var tradesUnfilled: Int64
    /// Holes in message sequence numbers (Coinbase) and the messages they skipped.
    public var sequenceGaps: Int64
    public var messagesMissed: Int64
    public var duplicatesDropped: Int64
    /// Frames dead-lettered (not JSON, unexpected shape, refused subscription, …).
    public var malformed: Int64
    public var lastError: String?

    public init(provider: ProviderID, state: String, openConnections: Int, messagesTotal: Int64, messagesPerSecond: Double,
                lastMessageAgeMs: Int64?, reconnects: Int64, stalls: Int64, gapsFound: Int64, tradesRepaired: Int64,
                tradesUnfilled: Int64, sequenceGaps: Int64, messagesMissed: Int64, duplicatesDropped: Int64, malformed: Int64,
                lastError: String?) {
        self.provider = provider
        self.state = state
        self.openConnections = openConnections
        self.messagesTotal = messagesTotal
        self.messagesPerSecond = messagesPerSecond
        self.lastMessageAgeMs = lastMessageAgeMs
        self.reconnects = reconnects
        self.stalls = stalls
        self.gapsFound = gapsFound
        self.tradesRepaired = tradesRepaired
        self.tradesUnfilled = tradesUnfilled
        self.sequenceGaps = sequenceGaps
        self.messagesMissed = messagesMissed
        self.duplicatesDropped = duplicatesDropped
        self.malformed = malformed
        self.lastError = lastError
    }
}

/// Source → lake commit latency of one source's recent ticks.
public struct SourceFreshnessDTO: Sendable, Codable, Hashable {
    public var source: ProviderID
    public var p50Ms: Double
    public var p95Ms: Double
    public var samples: Int

    public init(source: ProviderID, p50Ms: Double, p95Ms: Double, samples: Int) {
        self.source = source
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.samples = samples
    }
}

/// Streamed trades and closed klines: published to the bus, and committed to the candles table.
public struct StreamEventsDTO: Sendable, Codable, Hashable {
    public var tradesPublished: Int64
    public var candlesPublished: Int64
    /// Events whose base ticker the asset directory did not know, and events the bus refused.
    public var unresolved: Int64
    public var dropped: Int64
    public var candlesCommitted: Int64
    /// Trades this process's processor committed to the trades table (repeats not counted).
    public var tradesCommitted: Int64

    public init(tradesPublished: Int64, candlesPublished: Int64, unresolved: Int64, dropped: Int64, candlesCommitted: Int64,
                tradesCommitted: Int64 = 0) {
        self.tradesPublished = tradesPublished
        self.candlesPublished = candlesPublished
        self.unresolved = unresolved
        self.dropped = dropped
        self.candlesCommitted = candlesCommitted
        self.tradesCommitted = tradesCommitted
    }
}
