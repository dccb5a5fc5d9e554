import CryptoVizCore
import Foundation

/// Per-file column statistics stored as a JSON string in `add.stats` (Delta PROTOCOL.md,
/// "Per-file Statistics"): record count, and per column the minimum, maximum and null count.
///
/// Readers use them to skip files; a missing value means "unknown", never "empty".
public struct FileStatistics: Sendable, Hashable, Codable {
    public var numRecords: Int64
    public var minValues: [String: JSONValue]
    public var maxValues: [String: JSONValue]
    public var nullCount: [String: JSONValue]

    /// Statistics with the given count and (possibly partial) bounds.
    public init(numRecords: Int64, minValues: [String: JSONValue] = [:], maxValues: [String: JSONValue] = [:],
                nullCount: [String: JSONValue] = [:]) {
        self.numRecords = numRecords
        self.minValues = minValues
        self.maxValues = maxValues
        self.nullCount = nullCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numRecords = try c.decodeIfPresent(Int64.self, forKey: .numRecords) ?? -1
        minValues = try c.decodeIfPresent([String: JSONValue].self, forKey: .minValues) ?? [:]
        maxValues = try c.decodeIfPresent([String: JSONValue].self, forKey: .maxValues) ?? [:]
        nullCount = try c.decodeIfPresent([String: JSONValue].self, forKey: .nullCount) ?? [:]
    }

    /// Parses the `stats` string of an `add` action.
    public init(json: String) throws {
        self = try JSONDecoder().decode(FileStatistics.self, from: Data(json.utf8))
    }

    /// The compact JSON string for `add.stats`.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The [min, max] of a timestamp column in Unix ms, when both bounds are known.
    public func timestampRange(_ column: String) -> ClosedRange<Int64>? {
        guard let lo = minValues[column]?.stringValue.flatMap(DeltaTimestamp.parseMillis),
              let hi = maxValues[column]?.stringValue.flatMap(DeltaTimestamp.parseMillis), lo <= hi
        else { return nil }
        // Statistics are truncated to milliseconds; widen the upper bound so that a row with
        // sub-millisecond digits is never pruned wrongly.
        return lo...(hi + 1)
    }

    /// The [min, max] of a string column, when both bounds are known.
    public func stringRange(_ column: String) -> ClosedRange<String>? {
        guard let lo = minValues[column]?.stringValue, let hi = maxValues[column]?.stringValue, lo <= hi
        else { return nil }
        return lo...hi
    }
}

/// Timestamps as Delta writes them in statistics and partition values.
public enum DeltaTimestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (ISO 8601, UTC, milliseconds) — the statistics format.
    public static func isoString(millis: Int64) -> String {
        let day = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let date = CivilDateText.string(daysSinceEpoch: Int(day))
        var rest = millis - day * 86_400_000
        let h = rest / 3_600_000; rest %= 3_600_000
        let m = rest / 60_000; rest %= 60_000
        let s = rest / 1000
        let ms = rest % 1000
        return "\(date)T\(pad(h)):\(pad(m)):\(pad(s)).\(String(ms).leftPadded(to: 3))Z"
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|+00:00]` to Unix ms (fraction truncated to ms);
    /// nil for anything else.
    public static func parseMillis(_ text: String) -> Int64? {
        let chars = Array(text.utf8)
        guard chars.count >= 19, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              let days = CivilDateText.daysSinceEpoch(String(decoding: chars[0..<10], as: UTF8.self)),
              chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
              let h = Int64(String(decoding: chars[11..<13], as: UTF8.self)),
              let m = Int64(String(decoding: chars[14..<16], as: UTF8.self)),
              let s = Int64(String(decoding: chars[17..<19], as: UTF8.self)),
              h < 24, m < 60, s < 61
        else { return nil }
        var ms: Int64 = 0
        var i = 19
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < chars.count, chars[i] >= UInt8(ascii: "0"), chars[i] <= UInt8(ascii: "9") {
                if digits < 3 { ms = ms * 10 + Int64(chars[i] - UInt8(ascii: "0")) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { ms *= 10 }
        }
        let tail = String(decoding: chars[i...], as: UTF8.self)
        guard ["", "Z", "+00:00", "+0000"].contains(tail) else { return nil }
        return Int64(days) * 86_400_000 + h * 3_600_000 + m * 60_000 + s * 1000 + ms
    }

    private static func pad(_ v: Int64) -> String { String(v).leftPadded(to: 2) }
}
