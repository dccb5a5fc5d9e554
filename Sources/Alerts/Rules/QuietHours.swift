/// A daily UTC interval during which a rule's alerts are held without being announced.
///
/// `start` and `end` are `HH:MM`; an interval whose end is before its start wraps midnight
/// (`22:00`–`06:00`). An alert whose condition begins inside quiet hours is held silently and
/// is not announced later: it is a past event by the time the interval ends.
public struct QuietHours: Sendable, Hashable, Codable {
    /// Minutes after 00:00 UTC.
    public var startMinute: Int
    public var endMinute: Int

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    enum CodingKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let start = Self.parse(try c.decode(String.self, forKey: .start)) else {
            throw AlertsError.invalid("quiet_hours.start", "must be HH:MM (UTC)")
        }
        guard let end = Self.parse(try c.decode(String.self, forKey: .end)) else {
            throw AlertsError.invalid("quiet_hours.end", "must be HH:MM (UTC)")
        }
        self.init(startMinute: start, endMinute: end)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format(startMinute), forKey: .start)
        try c.encode(Self.format(endMinute), forKey: .end)
    }

    /// Whether the Unix time `millis` falls inside the interval (start inclusive, end exclusive).
    public func contains(millis: Int64) -> Bool {
        let minute = Int(((millis / 60_000) % 1440 + 1440) % 1440)
        if startMinute == endMinute { return false }
        if startMinute < endMinute { return minute >= startMinute && minute < endMinute }
        return minute >= startMinute || minute < endMinute
    }

    static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    /// `HH:MM` of a minute of the day.
    public static func format(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
