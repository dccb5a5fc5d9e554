import Foundation
import Lakehouse

/// The `--from`/`--to` of a backfill: ISO dates or times, `now`, or offsets from now
/// (`-30d`, `-12h`, `-90m`), aligned to the interval so only whole, closed bars are asked for.
public struct BackfillRange: Sendable, Hashable {
    /// First bar open time (inclusive), Unix ms.
    public var fromMillis: Int64
    /// End (exclusive): the open time after the last bar wanted, never after the current bar.
    public var untilMillis: Int64

    /// Parses and aligns: `from` rounds up to a bar boundary, `to` down, and `to` is capped at
    /// the start of the current (unclosed) bar, so every bar written is final and a restart
    /// never finds an open bar behind its committed version. Offsets count back from the start
    /// of the current bar, so `-30d` is exactly 30 days of whole bars.
    public init(from: String, to: String = "now", interval: CandleInterval, nowMillis: Int64) throws {
        let width = interval.millis
        let currentBar = interval.bucketStart(nowMillis)
        let fromTime = try Self.time(from, nowMillis: currentBar, name: "--from")
        let toTime = min(try Self.time(to, nowMillis: currentBar, name: "--to"), currentBar)
        fromMillis = interval.bucketStart(fromTime + width - 1)
        untilMillis = interval.bucketStart(toTime)
        guard fromMillis < untilMillis else {
            throw BackfillError("the range \(from) … \(to) holds no whole \(interval.rawValue) bar")
        }
    }

    /// Bars of `interval` in the range.
    public func barCount(_ interval: CandleInterval) -> Int64 { (untilMillis - fromMillis) / interval.millis }

    static func time(_ text: String, nowMillis: Int64, name: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "now" { return nowMillis }
        if trimmed.hasPrefix("-"), let unit = trimmed.last, let amount = Int64(trimmed.dropFirst().dropLast()), amount >= 0 {
            let unitMillis: Int64? = switch unit {
            case "d": 86_400_000
            case "h": 3_600_000
            case "m": 60_000
            case "s": 1000
            default: nil
            }
            if let unitMillis { return nowMillis - amount * unitMillis }
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: trimmed) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withFullDate]
        if trimmed.count == 10, let date = formatter.date(from: trimmed) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        throw BackfillError("\(name) '\(text)': expected an ISO date (2024-01-31), an ISO time (2024-01-31T12:00:00Z), now, or -30d / -12h / -90m")
    }
}

/// A backfill could not be set up or run, with what and why.
public struct BackfillError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "backfill: \(message)" }
}
