import CryptoVizCore
import Foundation

/// Writing JSON text by hand, so that the simulator controls exactly how numbers look on the
/// wire (exponent forms for tiny prices, strings for Binance) like the real providers do.
enum JSONText {
    /// A JSON number as Swift prints a Double ("1.23e-06", "65000.0"); null for non-finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }

    /// A fixed-point decimal string, Binance style ("0.00001234").
    static func decimalString(_ value: Double, places: Int = 8) -> String {
        "\"" + String(format: "%.\(places)f", value) + "\""
    }

    static func string(_ value: String?) -> String {
        guard let value else { return "null" }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// ISO 8601 UTC with milliseconds, as CoinGecko and CMC send `last_updated`.
    static func isoTime(_ millis: Int64) -> String {
        let date = CivilDate(unixMillis: millis)
        let ofDay = ((millis % 86_400_000) + 86_400_000) % 86_400_000
        let h = ofDay / 3_600_000, m = ofDay / 60_000 % 60, s = ofDay / 1000 % 60, ms = ofDay % 1000
        return "\"\(date)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z\""
    }

    /// ISO 8601 UTC with microseconds, as Coinbase sends `time` (`…T12:34:56.123000Z`).
    static func isoTimeMicros(_ millis: Int64) -> String {
        let text = isoTime(millis)
        return String(text.dropLast(2)) + "000Z\""
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `{"k": v, ...}` from already-encoded values, in the given order.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
