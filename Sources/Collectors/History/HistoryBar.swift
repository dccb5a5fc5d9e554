import CryptoVizCore

/// One bar of a provider's history, provider-neutral: what a kline or a chart point says about
/// one interval of one asset.
public struct HistoryBar: Sendable, Hashable {
    /// Bar start, Unix ms UTC (inclusive).
    public var openTimeMillis: Int64
    /// Bar end, Unix ms UTC (inclusive, Binance style: open + width − 1).
    public var closeTimeMillis: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Volume in the base asset.
    public var baseVolume: Double
    /// Volume in the quote currency.
    public var quoteVolume: Double
    /// Trades in the bar, when the provider says.
    public var tradeCount: Int64?
    /// Market capitalisation at the bar, when the provider says.
    public var marketCap: Double?

    public init(openTimeMillis: Int64, closeTimeMillis: Int64, open: Double, high: Double, low: Double, close: Double,
                baseVolume: Double, quoteVolume: Double, tradeCount: Int64? = nil, marketCap: Double? = nil) {
        self.openTimeMillis = openTimeMillis
        self.closeTimeMillis = closeTimeMillis
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.baseVolume = baseVolume
        self.quoteVolume = quoteVolume
        self.tradeCount = tradeCount
        self.marketCap = marketCap
    }
}

/// One series to page: an asset as one provider names it, at one bar width.
public struct HistorySeries: Sendable, Hashable {
    public var asset: AssetID
    /// The provider's name for it: a Binance pair (`BTCUSDT`) or a CoinGecko id.
    public var symbol: String
    public var quoteCurrency: String
    /// Bar width in milliseconds.
    public var intervalMillis: Int64

    public init(asset: AssetID, symbol: String, quoteCurrency: String, intervalMillis: Int64) {
        self.asset = asset
        self.symbol = symbol
        self.quoteCurrency = quoteCurrency
        self.intervalMillis = intervalMillis
    }
}

/// One page of a series: bars with open times in the asked range, ascending, and where the
/// next page starts (nil when the range is exhausted).
public struct HistoryPage: Sendable {
    public var bars: [HistoryBar]
    public var next: Int64?

    public init(bars: [HistoryBar], next: Int64?) {
        self.bars = bars
        self.next = next
    }
}

/// A provider's history endpoint, paged within its documented limits.
public protocol HistorySource: Sendable {
    var provider: ProviderID { get }
    /// The page of `series` starting at `fromMillis` with open times before `untilMillis`.
    func page(_ series: HistorySeries, fromMillis: Int64, untilMillis: Int64) async throws -> HistoryPage
}
