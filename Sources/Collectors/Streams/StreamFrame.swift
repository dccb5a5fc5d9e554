import CryptoVizCore

/// What one WebSocket text frame held once parsed: events, the records refused inside it,
/// and records deliberately out of scope (non-USDT pairs).
public struct StreamFrame: Sendable {
    public var events: [StreamEvent] = []
    public var rejections: [TickRejection] = []
    public var ignored = 0
    /// Control traffic (subscription acks): proof of life, no data.
    public var isControl = false
    /// Message sequence numbers the frame carried, per series (Coinbase `sequence` per product).
    public var sequences: [SequenceMark] = []
    /// The venue's latest trade id per pair as of this frame (Coinbase heartbeat `last_trade_id`):
    /// every id up to it exists, so a higher one than this client saw is a hole even if no
    /// later trade message arrives to show it.
    public var tradeWatermarks: [TradeWatermark] = []

    public init(events: [StreamEvent] = [], rejections: [TickRejection] = [], ignored: Int = 0, isControl: Bool = false,
                sequences: [SequenceMark] = [], tradeWatermarks: [TradeWatermark] = []) {
        self.events = events
        self.rejections = rejections
        self.ignored = ignored
        self.isControl = isControl
        self.sequences = sequences
        self.tradeWatermarks = tradeWatermarks
    }
}

/// A sequence number one message carried for one series.
public struct SequenceMark: Sendable, Hashable {
    public var series: String
    public var sequence: Int64
    /// True when the message holds that number itself (a Coinbase ticker: the next message
    /// has `sequence + 1`); false when it only reports the series' current number (a heartbeat).
    public var consumes: Bool

    public init(series: String, sequence: Int64, consumes: Bool) {
        self.series = series
        self.sequence = sequence
        self.consumes = consumes
    }
}

/// The venue's latest trade id of a pair at the time of a message.
public struct TradeWatermark: Sendable, Hashable {
    public var pair: String
    public var lastTradeID: Int64

    public init(pair: String, lastTradeID: Int64) {
        self.pair = pair
        self.lastTradeID = lastTradeID
    }
}

/// A frame that cannot be used at all: dead-lettered and counted, the connection goes on.
public struct StreamFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Low-cardinality reasons, for metrics and the dead-letter counts.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Not JSON, truncated, or not valid UTF-8.
        case notJSON = "not_json"
        /// JSON, but not the envelope the venue documents (`{stream, data}` for Binance).
        case unexpectedShape = "unexpected_shape"
        /// An envelope for a stream this client never subscribed to or cannot read.
        case unknownStream = "unknown_stream"
        /// A single-event stream whose event is unusable (bad trade id, missing price).
        case badEvent = "bad_event"
        /// The venue refused a request of ours (Kraken: a symbol it does not list): no data
        /// problem, but kept with the rest so the operator sees which subscription is missing.
        case refused
        /// Binary frame or larger than the configured limit.
        case unsupportedFrame = "unsupported_frame"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
