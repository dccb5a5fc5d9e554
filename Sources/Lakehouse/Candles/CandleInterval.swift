import CryptoVizCore

/// The width of a candle (time bucket) the dashboard asks for.
public enum CandleInterval: String, Sendable, Hashable, CaseIterable {
    case oneMinute = "1m"
    case fiveMinutes = "5m"
    case oneHour = "1h"
    case oneDay = "1d"

    /// The bucket width in milliseconds.
    public var millis: Int64 {
        switch self {
        case .oneMinute: 60_000
        case .fiveMinutes: 300_000
        case .oneHour: 3_600_000
        case .oneDay: 86_400_000
        }
    }

    /// The start of the bucket containing `time` (floor, also for times before 1970).
    /// Times so far before 1970 that the start would not fit in Int64 get the earliest bucket
    /// that does (a corrupt file's timestamps must not crash a scan).
    public func bucketStart(_ time: Int64) -> Int64 {
        let (start, overflow) = time.floorDivided(by: millis).multipliedReportingOverflow(by: millis)
        return overflow ? Int64.min / millis * millis : start
    }
}
