/// A point in time as UTC calendar fields, converted without Foundation or the C locale, for the
/// dates S3 signs (`20261126T000000Z`) and returns (ISO 8601 in XML, RFC 7231 in headers).
struct UTCTimestamp: Sendable, Equatable {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    /// The fields of `millis` since the Unix epoch.
    init(unixMillis millis: Int64) {
        let days = Int(millis.floorDivided(by: 86_400_000))
        let millisOfDay = Int(millis - Int64(days) * 86_400_000)
        // Civil-from-days: Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = millisOfDay / 3_600_000
        minute = millisOfDay / 60_000 % 60
        second = millisOfDay / 1000 % 60
        millisecond = millisOfDay % 1000
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond) =
            (year, month, day, hour, minute, second, millisecond)
    }

    /// Milliseconds since the Unix epoch.
    var unixMillis: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400_000 + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + millisecond)
    }

    /// `YYYYMMDDTHHMMSSZ`, the SigV4 `X-Amz-Date` form.
    var amzDate: String { "\(dateStamp)T\(pad(hour, 2))\(pad(minute, 2))\(pad(second, 2))Z" }

    /// `YYYYMMDD`, the SigV4 credential-scope date.
    var dateStamp: String { "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))" }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Parses ISO 8601 as S3 writes it in XML: `2026-11-26T00:00:00.000Z` (fraction optional).
    init?(iso8601 text: String) {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard utf8.count >= 20, utf8[4] == 0x2D, utf8[7] == 0x2D, utf8[10] == 0x54 || utf8[10] == 0x20,
            utf8[13] == 0x3A, utf8[16] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var millis = 0
        var index = 19
        if utf8[index] == 0x2E {
            index += 1
            var scale = 100
            while index < utf8.count, (0x30...0x39).contains(utf8[index]) {
                millis += Int(utf8[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        guard index == utf8.count - 1, utf8[index] == 0x5A else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millis)
    }

    /// Parses an RFC 7231 IMF-fixdate, as in `Last-Modified: Thu, 26 Nov 2026 00:00:00 GMT`.
    init?(httpDate text: String) {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        self.init(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
