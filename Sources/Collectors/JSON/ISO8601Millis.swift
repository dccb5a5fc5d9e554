import CryptoVizCore

/// Parses the ISO 8601 UTC times providers send (`2024-03-01T12:34:56Z`, with optional
/// fractional seconds and `Z` or `+00:00`) into Unix milliseconds.
///
/// Hand-written rather than `ISO8601DateFormatter` so that it is allocation-light, identical on
/// every platform, and strict: anything else (local offsets, missing seconds) is refused.
public enum ISO8601Millis {
    /// Unix milliseconds for `text`, or nil when it is not a UTC ISO 8601 date-time.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") else { return nil }
        guard let date = CivilDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        func twoDigits(_ at: Int) -> Int? {
            let a = Int(bytes[at]) - 48, b = Int(bytes[at + 1]) - 48
            guard (0...9).contains(a), (0...9).contains(b) else { return nil }
            return a * 10 + b
        }
        guard bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = twoDigits(11), let minute = twoDigits(14), let second = twoDigits(17),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 3 { millis = millis * 10 + Int(bytes[index]) - 48 }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            var scale = min(digits, 3)
            while scale < 3 {
                millis *= 10
                scale += 1
            }
        }
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        guard rest == "Z" || rest == "+00:00" || rest == "+0000" else { return nil }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return seconds * 1000 + Int64(millis)
    }
}
