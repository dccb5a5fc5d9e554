import CryptoVizCore

/// One series the candles table holds: bars of one asset from one source at one interval,
/// with the open times of its first and last bar.
public struct CandleSeries: Sendable, Hashable {
    public var source: ProviderID
    public var asset: AssetID
    public var interval: CandleInterval
    /// Open time of the earliest bar, Unix ms.
    public var firstOpenTimeMillis: Int64
    /// Open time of the latest bar, Unix ms.
    public var lastOpenTimeMillis: Int64

    public init(source: ProviderID, asset: AssetID, interval: CandleInterval, firstOpenTimeMillis: Int64, lastOpenTimeMillis: Int64) {
        self.source = source
        self.asset = asset
        self.interval = interval
        self.firstOpenTimeMillis = firstOpenTimeMillis
        self.lastOpenTimeMillis = lastOpenTimeMillis
    }
}
