import Foundation

/// The JSON file a backfill leaves beside its output: every hole the providers themselves have
/// in the asked range (before a listing, an exchange outage), so nobody mistakes one for a
/// loss and nobody fills it with invented bars.
public struct BackfillGapReport: Sendable, Codable {
    public var fromMillis: Int64
    public var untilMillis: Int64
    public var gaps: [BackfillGap]
    public var missingBars: Int64

    enum CodingKeys: String, CodingKey {
        case fromMillis = "from_ms"
        case untilMillis = "until_ms"
        case gaps
        case missingBars = "missing_bars"
    }

    public init(gaps: [BackfillGap], range: BackfillRange) {
        fromMillis = range.fromMillis
        untilMillis = range.untilMillis
        self.gaps = gaps
        missingBars = gaps.reduce(0) { $0 + $1.missingBars }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
