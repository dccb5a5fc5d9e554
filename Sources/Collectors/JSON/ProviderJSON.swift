import CryptoVizCore
import Foundation

/// Decoding of provider bodies and typed reads of their fields.
///
/// Reading a field yields a `TickRejection` naming it when the value is present but unusable,
/// so the adapters can reject one record precisely and keep the rest of the response.
enum ProviderJSON {
    /// Parses a whole body; a malformed or truncated document fails the request, naming the provider.
    static func document(_ bytes: [UInt8], provider: ProviderID) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw CollectorError(
                provider: provider, code: .malformedBody,
                "response body is not valid JSON (\(bytes.count) bytes)")
        }
    }

    /// A required string; empty strings count as missing.
    static func requiredString(_ record: JSONValue, _ field: String) throws(TickRejection) -> String {
        switch record[field] {
        case nil, .null?: throw .missingField(field: field)
        case .string(let value)?:
            guard !value.isEmpty else { throw .missingField(field: field) }
            return value
        case let other?: throw .unparsableField(field: field, detail: "expected string, got \(other.typeName)")
        }
    }

    /// An optional string (absent or null → nil).
    static func optionalString(_ record: JSONValue, _ field: String) throws(TickRejection) -> String? {
        switch record[field] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw .unparsableField(field: field, detail: "expected string, got \(other.typeName)")
        }
    }

    /// An optional JSON number (absent or null → nil).
    static func optionalNumber(_ record: JSONValue, _ field: String) throws(TickRejection) -> Double? {
        switch record[field] {
        case nil, .null?: return nil
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        case let other?: throw .unparsableField(field: field, detail: "expected number, got \(other.typeName)")
        }
    }

    /// A required JSON number.
    static func requiredNumber(_ record: JSONValue, _ field: String) throws(TickRejection) -> Double {
        guard let value = try optionalNumber(record, field) else { throw .missingField(field: field) }
        return value
    }

    /// A number sent as a JSON string, as Binance does ("0.00000123", "1.2e-7").
    static func optionalDecimalString(_ record: JSONValue, _ field: String) throws(TickRejection) -> Double? {
        guard let value = record[field] else { return nil }
        return try decimal(value, field: field)
    }

    /// One value that should be a number sent as a string (null → nil); `field` names it in the
    /// rejection. For array elements, such as Kraken's `"c": ["65000.1", "0.01"]`.
    static func decimal(_ value: JSONValue, field: String) throws(TickRejection) -> Double? {
        switch value {
        case .null: return nil
        case .string(let text):
            guard let value = Double(text), value.isFinite else {
                throw .unparsableField(field: field, detail: "not a decimal number: \(text.prefix(32))")
            }
            return value
        case .int(let value): return Double(value)
        case .double(let value): return value
        case let other: throw .unparsableField(field: field, detail: "expected numeric string, got \(other.typeName)")
        }
    }

    /// A required number sent as a JSON string.
    static func requiredDecimalString(_ record: JSONValue, _ field: String) throws(TickRejection) -> Double {
        guard let value = try optionalDecimalString(record, field) else { throw .missingField(field: field) }
        return value
    }

    /// A required whole number (ids, millisecond times); fractional or out-of-range values are refused.
    static func requiredInteger(_ record: JSONValue, _ field: String) throws(TickRejection) -> Int64 {
        let value = try requiredNumber(record, field)
        guard value.rounded() == value, abs(value) < 9.0e15 else {
            throw .unparsableField(field: field, detail: "not an integer: \(value)")
        }
        return Int64(value)
    }

    /// A required ISO 8601 UTC time (`2024-03-01T12:34:56.789Z`) as Unix milliseconds.
    static func requiredISOTime(_ record: JSONValue, _ field: String) throws(TickRejection) -> Int64 {
        let text = try requiredString(record, field)
        guard let millis = ISO8601Millis.parse(text) else {
            throw .unparsableField(field: field, detail: "not an ISO 8601 UTC time: \(text.prefix(40))")
        }
        return millis
    }
}
