import CryptoVizCore

/// OHLC, mean and count of one asset's prices from one source over one time bucket.
public struct Candle: Sendable, Hashable, Codable {
    public var asset: AssetID
    public var source: ProviderID
    /// Bucket start, Unix ms (inclusive); the bucket ends at start + interval.
    public var startMillis: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    /// The last price in the bucket (by source time).
    public var close: Double
    public var mean: Double
    public var count: Int

    /// A candle with all its fields.
    public init(asset: AssetID, source: ProviderID, startMillis: Int64, open: Double, high: Double, low: Double,
                close: Double, mean: Double, count: Int) {
        self.asset = asset
        self.source = source
        self.startMillis = startMillis
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.mean = mean
        self.count = count
    }
}
