import CryptoVizCore

/// Where a row of the candles table came from.
public enum CandleOrigin: String, Sendable, Hashable, CaseIterable, Codable {
    /// Paged from a provider's history endpoint by `cryptoviz backfill`.
    case backfill
    /// Rolled up by the stream processor from the ticks it committed.
    case rollup
    /// Pushed by a venue's kline stream.
    case stream

    /// Breaks a read-rule tie (two rows of one bar, equally final, ingested in the same
    /// millisecond): the venue's own bars (backfill, then stream) over a rollup of sampled ticks.
    public var tieRank: Int {
        switch self {
        case .backfill: 3
        case .stream: 2
        case .rollup: 1
        }
    }
}

/// One row of the candles table: an OHLCV bar of one asset from one source over one interval.
///
/// Unlike `Candle` (an aggregate the server computes from ticks on the fly), a record is what
/// the lake stores: the provider's own bar, or a rollup the processor committed, with the
/// volume fields the providers publish and whether the bar is still open.
public struct CandleRecord: Sendable, Hashable {
    public var source: ProviderID
    public var asset: AssetID
    /// The venue's pair or coin symbol (e.g. `BTCUSDT`, `btc`).
    public var symbol: String
    public var quoteCurrency: String
    public var interval: CandleInterval
    /// Bar start, Unix ms UTC (inclusive).
    public var openTimeMillis: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Volume in the base asset (Binance `volume`); for sources that publish only a quote-currency
    /// volume, that volume divided by the close. Nil when the bar's traded volume is unknown: a
    /// rollup of ticks, whose volume is a rolling 24 h figure, not the minute's.
    public var baseVolume: Double?
    /// Volume in the quote currency; nil when unknown (see `baseVolume`).
    public var quoteVolume: Double?
    /// Number of trades (nil when the source does not say).
    public var tradeCount: Int64?
    /// Market capitalisation at the bar (nil when the source does not say).
    public var marketCap: Double?
    /// False while the bar is still open (a rollup of the current minute, an unclosed kline).
    public var isFinal: Bool
    public var origin: CandleOrigin
    /// When the row was written, Unix ms.
    public var ingestTimeMillis: Int64
    /// Values of columns added to the table after its creation (`CandleTable.addColumns`),
    /// by column name; a column absent here is null in the row.
    public var extra: [String: CandleExtraValue]

    public init(source: ProviderID, asset: AssetID, symbol: String, quoteCurrency: String, interval: CandleInterval,
                openTimeMillis: Int64, open: Double, high: Double, low: Double, close: Double,
                baseVolume: Double?, quoteVolume: Double?, tradeCount: Int64?, marketCap: Double?,
                isFinal: Bool, origin: CandleOrigin, ingestTimeMillis: Int64,
                extra: [String: CandleExtraValue] = [:]) {
        self.source = source
        self.asset = asset
        self.symbol = symbol
        self.quoteCurrency = quoteCurrency
        self.interval = interval
        self.openTimeMillis = openTimeMillis
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.baseVolume = baseVolume
        self.quoteVolume = quoteVolume
        self.tradeCount = tradeCount
        self.marketCap = marketCap
        self.isFinal = isFinal
        self.origin = origin
        self.ingestTimeMillis = ingestTimeMillis
        self.extra = extra
    }
}
