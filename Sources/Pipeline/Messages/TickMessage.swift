import CryptoVizCore
import Foundation

/// The JSON message that carries one tick on both topics.
///
/// `schema_version` lets a consumer refuse what it does not understand (into the dead-letter
/// path) instead of misreading it; version 1 is the only one so far.
public struct TickMessage: Sendable, Codable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var type: String
    /// When the collector published it, Unix ms: the lake's `ingested_time`.
    public var producedAtMillis: Int64
    public var tick: Tick

    public init(tick: Tick, producedAtMillis: Int64) {
        self.schemaVersion = Self.currentSchemaVersion
        self.type = "tick"
        self.producedAtMillis = producedAtMillis
        self.tick = tick
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case type
        case producedAtMillis = "produced_at_ms"
        case tick
    }
}

/// Turns ticks into bus messages and back, refusing anything malformed with a reason.
///
/// The wire format is plain JSON any Kafka consumer can read, written and parsed at the byte
/// level (`TickWireFormat`): encoded once per tick whatever the number of topics, decoded in one
/// pass straight from the record's bytes. Unknown fields are ignored, missing optional ones are
/// nil, anything else wrong is a `MessageDecodingError` (the processor dead-letters it).
public struct TickMessageCodec: Sendable {
    public init() {}

    /// The message for `tick`, keyed by asset so one asset stays in one partition (ordered).
    public func encode(_ tick: Tick, topic: String, producedAtMillis: Int64) throws -> OutgoingMessage {
        try outgoing(TickMessage(tick: tick, producedAtMillis: producedAtMillis), topics: [topic])[0]
    }

    /// One message per topic, sharing one encoding of the tick.
    public func outgoing(_ message: TickMessage, topics: [String]) throws -> [OutgoingMessage] {
        var out: [OutgoingMessage] = []
        try appendOutgoing(message, topics: topics, to: &out)
        return out
    }

    /// `outgoing`, appended to `out`: a batch is built without an array per tick.
    public func appendOutgoing(_ message: TickMessage, topics: [String], to out: inout [OutgoingMessage]) throws {
        let value = try TickWireFormat.encode(message)
        let key = Array(message.tick.asset.rawValue.utf8)
        for topic in topics {
            out.append(OutgoingMessage(topic: topic, key: key, value: value, timestampMillis: message.producedAtMillis))
        }
    }

    /// The JSON document of `message`.
    public func encodeValue(_ message: TickMessage) throws -> [UInt8] {
        try TickWireFormat.encode(message)
    }

    /// The message in `bytes`, or a `MessageDecodingError` saying why it is unusable.
    public func decode(_ bytes: [UInt8]) throws(MessageDecodingError) -> TickMessage {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MessageDecodingError) in try TickWireFormat.decode(buffer) }
    }
}

/// Why a bus message could not be used.
public struct MessageDecodingError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case malformed, unknownSchemaVersion = "unknown_schema_version", unknownType = "unknown_type" }
    public var kind: Kind
    public var detail: String
    /// For `unknownType`: the message's `type` (`trade` and `candle` share the topics with ticks).
    public var messageType: String?
    public var description: String { "\(kind.rawValue): \(detail)" }

    public init(kind: Kind, detail: String, messageType: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.messageType = messageType
    }
}
