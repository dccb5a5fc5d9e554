import CryptoVizCore
import Lakehouse

/// One (source, asset) series of the rollup.
public struct SeriesKey: Sendable, Hashable, CustomStringConvertible {
    public var source: ProviderID
    public var asset: AssetID

    public init(source: ProviderID, asset: AssetID) {
        self.source = source
        self.asset = asset
    }

    public init(_ tick: Tick) {
        self.init(source: tick.source, asset: tick.asset)
    }

    public var description: String { "\(source.rawValue)/\(asset.rawValue)" }
}

/// One minute of one series, aggregated from the ticks seen so far: open and close are the
/// prices of the ticks with the earliest and latest source time, whatever order they arrived
/// in, so feeding the same tick twice changes nothing (the aggregate is idempotent).
public struct MinuteBar: Sendable, Equatable {
    /// Minute start, Unix ms (a multiple of 60 000).
    public var openTimeMillis: Int64
    public var symbol: String
    public var quoteCurrency: String
    public var firstTickMillis: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var lastTickMillis: Int64
    public var close: Double
    /// The market cap of the latest tick (nil when that tick has none).
    public var marketCap: Double?

    /// The bar of `tick`'s minute holding that tick alone.
    public init(_ tick: Tick) {
        openTimeMillis = MinuteBar.minute(of: tick.sourceTimeMillis)
        symbol = tick.symbol
        quoteCurrency = tick.quoteCurrency
        firstTickMillis = tick.sourceTimeMillis
        open = tick.price
        high = tick.price
        low = tick.price
        lastTickMillis = tick.sourceTimeMillis
        close = tick.price
        marketCap = tick.marketCap
    }

    /// The start of the minute holding `millis` (floor, also before 1970).
    public static func minute(of millis: Int64) -> Int64 {
        CandleInterval.oneMinute.bucketStart(millis)
    }

    /// Adds a tick of the same minute; returns whether the bar changed.
    @discardableResult
    public mutating func add(_ tick: Tick) -> Bool {
        let before = self
        let t = tick.sourceTimeMillis
        if t < firstTickMillis {
            firstTickMillis = t
            open = tick.price
        }
        // Symbol, quote currency and market cap follow the latest tick (as close does); a tick
        // at the same source time is the same event (dedupe key), so `>=` only repeats it.
        if t >= lastTickMillis {
            lastTickMillis = t
            close = tick.price
            marketCap = tick.marketCap
            symbol = tick.symbol
            quoteCurrency = tick.quoteCurrency
        }
        high = max(high, tick.price)
        low = min(low, tick.price)
        return self != before
    }

    /// The candles-table row of this bar. Volumes and trade count are nil: a tick's volume is
    /// a rolling 24 h figure, not what traded in the minute.
    public func record(source: ProviderID, asset: AssetID, isFinal: Bool, ingestTimeMillis: Int64) -> CandleRecord {
        CandleRecord(source: source, asset: asset, symbol: symbol, quoteCurrency: quoteCurrency, interval: .oneMinute,
                     openTimeMillis: openTimeMillis, open: open, high: high, low: low, close: close,
                     baseVolume: nil, quoteVolume: nil, tradeCount: nil, marketCap: marketCap,
                     isFinal: isFinal, origin: .rollup, ingestTimeMillis: ingestTimeMillis)
    }
}
