/// One OHLCV bucket; see `MarketDataSource.candles(_:)` for the exact semantics.
public struct CandleDTO: Sendable, Codable, Hashable {
    /// Bucket start (Unix ms, inclusive); the bucket ends at `startMs + interval` (exclusive).
    public var startMs: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// The base volume traded in the bucket: the sum of the candles table's stored bars' (klines
    /// carry it); nil for a bucket computed from ticks alone, whose volume is a rolling 24 h
    /// figure that does not add up per bucket.
    public var volume: Double?
    /// Ticks used; from the candles table, stored bars plus ticks used.
    public var tickCount: Int

    public init(
        startMs: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double?,
        tickCount: Int
    ) {
        self.startMs = startMs
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.tickCount = tickCount
    }

    enum CodingKeys: String, CodingKey {
        case startMs = "start_ms", open, high, low, close, volume, tickCount = "tick_count"
    }
}
