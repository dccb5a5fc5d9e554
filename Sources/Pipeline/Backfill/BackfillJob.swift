import Collectors
import CryptoVizCore
import Lakehouse

/// One series to backfill: a provider's history of one asset at one interval, over a range.
public struct BackfillJob: Sendable {
    public var source: any HistorySource
    public var series: HistorySeries
    public var interval: CandleInterval
    /// First bar open time wanted (inclusive), Unix ms, aligned to the interval.
    public var fromMillis: Int64
    /// End of the range (exclusive): only bars opening before it are written.
    public var untilMillis: Int64

    public init(source: any HistorySource, series: HistorySeries, interval: CandleInterval, fromMillis: Int64, untilMillis: Int64) {
        self.source = source
        self.series = series
        self.interval = interval
        self.fromMillis = fromMillis
        self.untilMillis = untilMillis
    }

    /// The Delta `txn` application id of the series: its version is the last open time written.
    public var appId: String { Self.appId(source: source.provider, asset: series.asset, interval: interval) }

    public static func appId(source: ProviderID, asset: AssetID, interval: CandleInterval) -> String {
        "backfill/\(source.rawValue)/\(asset.rawValue)/\(interval.rawValue)"
    }
}

/// A run of bars the provider itself does not have inside the asked range (before a listing,
/// an exchange outage, a delisted period): recorded, never filled.
public struct BackfillGap: Sendable, Hashable, Codable {
    public var source: String
    public var asset: String
    public var interval: String
    /// First missing open time (inclusive) and the end of the hole (exclusive), Unix ms.
    public var fromMillis: Int64
    public var untilMillis: Int64
    public var missingBars: Int64

    enum CodingKeys: String, CodingKey {
        case source, asset, interval
        case fromMillis = "from_ms"
        case untilMillis = "until_ms"
        case missingBars = "missing_bars"
    }
}
