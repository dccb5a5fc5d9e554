/// The lake partition a record belongs to, derived from its source time (UTC) and identity.
public struct PartitionValues: Sendable, Hashable {
    public var date: CivilDate
    public var source: ProviderID
    public var asset: AssetID

    public init(source: ProviderID, asset: AssetID, sourceTimeMillis: Int64) {
        self.date = CivilDate(unixMillis: sourceTimeMillis)
        self.source = source
        self.asset = asset
    }
}

/// A calendar date in UTC, computed without Foundation's calendars so that it is cheap on hot
/// paths and identical on every platform.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC date containing the instant `unixMillis`.
    public init(unixMillis: Int64) {
        let days = Int(unixMillis >= 0 ? unixMillis / 86_400_000 : (unixMillis - 86_399_999) / 86_400_000)
        self.init(daysSinceEpoch: days)
    }

    /// Howard Hinnant's days-from-civil inverse (proleptic Gregorian calendar).
    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01, the value of a Parquet/Arrow DATE.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Midnight UTC at the start of this date, in Unix milliseconds.
    public var startMillis: Int64 { Int64(daysSinceEpoch) * 86_400_000 }

    /// ISO 8601 `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses `YYYY-MM-DD`; nil for anything else, including impossible dates.
    public init?(iso string: String) {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), d >= 1
        else { return nil }
        let candidate = CivilDate(year: y, month: m, day: d)
        guard CivilDate(daysSinceEpoch: candidate.daysSinceEpoch) == candidate else { return nil }
        self = candidate
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
