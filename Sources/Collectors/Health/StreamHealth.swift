import CryptoVizCore

/// What the dashboard shows about one venue's streams: connected, flowing, and how often not.
public struct StreamHealth: Sendable, Hashable, Codable {
    /// Where the stream's connections are now.
    public enum State: String, Sendable, Hashable, Codable {
        case connecting
        case open
        /// Waiting out a reconnect backoff.
        case backoff
        case stopped
    }

    public var provider: ProviderID
    public var state: State
    /// Connections currently open (two during a rotation's overlap).
    public var openConnections: Int
    /// Connections that reached the open state.
    public var connectionsOpened: Int
    /// Reconnects after a connection ended other than by planned rotation.
    public var reconnects: Int
    /// Connections dropped by the no-message watchdog.
    public var stalls: Int
    /// Planned replacements before the venue's connection lifetime.
    public var rotations: Int
    /// Text frames received (data and control).
    public var messages: Int
    public var lastMessageMillis: Int64?
    /// Frames dead-lettered, by `StreamFrameError.Reason`.
    public var malformedByReason: [String: Int]
    /// Records refused inside usable frames, by `TickRejection.kind`.
    public var rejectedByReason: [String: Int]
    /// Events dropped because an overlapping or replayed connection delivered them again.
    public var duplicatesDropped: Int
    /// Holes in trade ids seen, trades recovered from REST, and trades lost for good.
    public var gapsFound: Int
    public var tradesRepaired: Int
    public var tradesUnfilled: Int
    /// Holes in a venue's message sequence numbers (Coinbase), and the messages they skipped.
    public var sequenceGaps: Int
    public var messagesMissed: Int
    /// Messages dropped because their sequence number was not newer than one already seen
    /// (out of order, or repeated by an overlapping connection).
    public var staleMessages: Int
    public var trades: Int
    public var candles: Int
    public var ticks: Int
    public var lastError: String?
    public var lastErrorMillis: Int64?

    public init(provider: ProviderID) {
        self.provider = provider
        self.state = .connecting
        self.openConnections = 0
        self.connectionsOpened = 0
        self.reconnects = 0
        self.stalls = 0
        self.rotations = 0
        self.messages = 0
        self.lastMessageMillis = nil
        self.malformedByReason = [:]
        self.rejectedByReason = [:]
        self.duplicatesDropped = 0
        self.gapsFound = 0
        self.tradesRepaired = 0
        self.tradesUnfilled = 0
        self.sequenceGaps = 0
        self.messagesMissed = 0
        self.staleMessages = 0
        self.trades = 0
        self.candles = 0
        self.ticks = 0
        self.lastError = nil
        self.lastErrorMillis = nil
    }

    enum CodingKeys: String, CodingKey {
        case provider, state, reconnects, stalls, rotations, messages, trades, candles, ticks
        case openConnections = "open_connections"
        case connectionsOpened = "connections_opened"
        case lastMessageMillis = "last_message_ms"
        case malformedByReason = "malformed_by_reason"
        case rejectedByReason = "rejected_by_reason"
        case duplicatesDropped = "duplicates_dropped"
        case gapsFound = "gaps_found"
        case tradesRepaired = "trades_repaired"
        case tradesUnfilled = "trades_unfilled"
        case sequenceGaps = "sequence_gaps"
        case messagesMissed = "messages_missed"
        case staleMessages = "stale_messages"
        case lastError = "last_error"
        case lastErrorMillis = "last_error_ms"
    }
}
