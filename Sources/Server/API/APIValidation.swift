import CryptoVizCore
import Foundation
import Hummingbird

/// Parsing and validation of request parameters; every failure is an `APIError` naming the
/// parameter.
///
/// Times (`from`, `to`) accept Unix milliseconds (`1732579200000`) or ISO 8601 with an offset
/// (`2026-11-26T00:00:00Z`, optional fractional seconds); `from` is inclusive, `to` exclusive.
public enum APIValidation {
    /// Largest page of ticks one request may ask for.
    public static let maxTickLimit = 10_000
    /// Most names accepted in one list parameter (`assets=`, `sources=`).
    public static let maxListItems = 100
    /// Latest time accepted (year 9999), so arithmetic on times cannot overflow.
    static let maxMillis: Int64 = 253_402_300_799_999

    /// True for asset and source names: 1-64 of lower-case letters, digits, '-', '_', '.',
    /// starting with a letter or digit.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 64 else { return false }
        func allowed(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return allowed(first) && s.utf8.allSatisfy { allowed($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// A path or query identifier, or a 400 naming `parameter`.
    static func identifier(_ value: String, parameter: String) throws -> String {
        guard isIdentifier(value) else {
            throw APIError.invalid(parameter, "must be 1-64 characters of a-z, 0-9, '-', '_' or '.'")
        }
        return value
    }

    /// A comma-separated list of identifiers; nil when absent or empty (meaning "all").
    static func list(_ query: Parameters, _ name: String) throws -> Set<String>? {
        guard let raw = query.get(name), !raw.isEmpty else { return nil }
        // The schema's maxLength: 100 names of 64 characters and their commas.
        guard raw.utf8.count <= maxListItems * 65 else {
            throw APIError.invalid(name, "is longer than \(maxListItems * 65) characters")
        }
        let items = raw.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
        guard items.count <= maxListItems else { throw APIError.invalid(name, "lists at most \(maxListItems) names") }
        guard !items.isEmpty else { return nil }
        for item in items { _ = try identifier(item, parameter: name) }
        return Set(items)
    }

    /// An integer in `range`, `defaultValue` when absent.
    static func integer(_ query: Parameters, _ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64?) throws -> Int64? {
        guard let raw = query.get(name) else { return defaultValue }
        guard let value = Int64(raw), range.contains(value) else {
            throw APIError.invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A boolean (`true`/`false`/`1`/`0`), `defaultValue` when absent.
    static func boolean(_ query: Parameters, _ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = query.get(name) else { return defaultValue }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.invalid(name, "must be true or false")
        }
    }

    /// A time as Unix ms or ISO 8601; nil when absent.
    static func time(_ query: Parameters, _ name: String) throws -> Int64? {
        guard let raw = query.get(name) else { return nil }
        guard let ms = parseTime(raw) else {
            throw APIError.invalid(name, "must be Unix milliseconds or an ISO 8601 time such as 2026-11-26T00:00:00Z")
        }
        return ms
    }

    /// Parses Unix ms or ISO 8601 into Unix ms within [0, year 9999]; nil otherwise.
    public static func parseTime(_ raw: String) -> Int64? {
        if let ms = digits(raw, atMost: 15) { return ms <= maxMillis ? ms : nil }
        guard raw.utf8.count <= 40 else { return nil }
        let date =
            (try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(raw, strategy: Date.ISO8601FormatStyle()))
        guard let date else { return nil }
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms >= 0, ms <= Double(maxMillis) else { return nil }
        return Int64(ms)
    }

    /// The value of 1 to `count` ASCII digits (no sign, no space), as the schema's `^[0-9]{1,n}$`; nil otherwise.
    static func digits(_ raw: String, atMost count: Int) -> Int64? {
        guard (1...count).contains(raw.utf8.count), raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(raw)
    }

    /// The `[from, to)` window of a request: `to` defaults to now (+1 ms so the newest tick is
    /// included), `from` to `to - defaultSpan`; `from` must precede `to`.
    static func range(_ query: Parameters, defaultSpan: Int64, now: Int64) throws -> (from: Int64, to: Int64) {
        let to = try time(query, "to") ?? (now + 1)
        let from = try time(query, "from") ?? max(0, to - defaultSpan)
        guard from < to else { throw APIError.invalid("from", "must be earlier than 'to'") }
        return (from, to)
    }
}
