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
public struct TickMessageCodec: Sendable {
    public init() {}

    /// The message for `tick`, keyed by asset so one asset stays in one partition (ordered).
    public func encode(_ tick: Tick, topic: String, producedAtMillis: Int64) throws -> OutgoingMessage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = try encoder.encode(TickMessage(tick: tick, producedAtMillis: producedAtMillis))
        return OutgoingMessage(topic: topic, key: Array(tick.asset.rawValue.utf8), value: Array(value),
                               timestampMillis: producedAtMillis)
    }

    /// The message in `bytes`, or a `MessageDecodingError` saying why it is unusable.
    public func decode(_ bytes: [UInt8]) throws(MessageDecodingError) -> TickMessage {
        let data = Data(bytes)
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw MessageDecodingError(kind: .malformed, detail: "not a JSON object with schema_version and type")
        }
        guard header.schemaVersion == TickMessage.currentSchemaVersion else {
            throw MessageDecodingError(kind: .unknownSchemaVersion, detail: "schema_version \(header.schemaVersion)")
        }
        guard header.type == "tick" else {
            throw MessageDecodingError(kind: .unknownType, detail: "type '\(header.type)'")
        }
        do {
            return try JSONDecoder().decode(TickMessage.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw MessageDecodingError(kind: .malformed, detail: "missing field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw MessageDecodingError(kind: .malformed, detail: "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw MessageDecodingError(kind: .malformed, detail: "unreadable tick")
        }
    }

    private struct Header: Decodable {
        var schemaVersion: Int
        var type: String
        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case type
        }
    }
}

/// Why a bus message could not be used.
public struct MessageDecodingError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case malformed, unknownSchemaVersion = "unknown_schema_version", unknownType = "unknown_type" }
    public var kind: Kind
    public var detail: String
    public var description: String { "\(kind.rawValue): \(detail)" }
}
