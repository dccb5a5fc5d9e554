/// One normalized market observation of one asset from one source.
///
/// Every provider's response is reduced to this shape by its adapter; everything downstream
/// (bus, processor, lake, API) speaks only `Tick`. Times are Unix milliseconds (UTC) so that
/// the record maps one-to-one onto Parquet `TIMESTAMP(MILLIS, UTC)` columns and JSON numbers.
public struct Tick: Sendable, Hashable, Codable {
    /// Which API (or simulator speaking that API's shape) produced the record.
    public var source: ProviderID
    /// Canonical asset identity, shared by all sources (CoinGecko-style slug, e.g. "bitcoin").
    public var asset: AssetID
    /// Ticker symbol as the source spells it, upper-cased ("BTC"); not unique across assets.
    public var symbol: String
    /// Currency of the quote: "USD", or "USDT" for exchange pairs quoted in Tether.
    public var quoteCurrency: String
    /// Last price in the quote currency.
    public var price: Double
    /// Market capitalisation in the quote currency, when the source gives it.
    public var marketCap: Double?
    /// Traded volume over the last 24 hours, in the quote currency.
    public var volume24h: Double?
    /// Price change over the last hour, in percent.
    public var change1h: Double?
    /// Price change over the last 24 hours, in percent.
    public var change24h: Double?
    /// Price change over the last 7 days, in percent.
    public var change7d: Double?
    /// When the source says the value was last updated (Unix ms, UTC).
    public var sourceTimeMillis: Int64
    /// When CryptoViz received it (Unix ms, UTC).
    public var collectedTimeMillis: Int64

    public init(
        source: ProviderID,
        asset: AssetID,
        symbol: String,
        quoteCurrency: String = "USD",
        price: Double,
        marketCap: Double? = nil,
        volume24h: Double? = nil,
        change1h: Double? = nil,
        change24h: Double? = nil,
        change7d: Double? = nil,
        sourceTimeMillis: Int64,
        collectedTimeMillis: Int64
    ) {
        self.source = source
        self.asset = asset
        self.symbol = symbol
        self.quoteCurrency = quoteCurrency
        self.price = price
        self.marketCap = marketCap
        self.volume24h = volume24h
        self.change1h = change1h
        self.change24h = change24h
        self.change7d = change7d
        self.sourceTimeMillis = sourceTimeMillis
        self.collectedTimeMillis = collectedTimeMillis
    }

    /// The dedupe key: the same source reporting the same asset at the same source time is
    /// the same event, however many times it was polled, published or replayed.
    public var eventID: EventID {
        EventID(source: source, asset: asset, sourceTimeMillis: sourceTimeMillis)
    }

    /// The values of the lake's partition columns for this record.
    public var partition: PartitionValues {
        PartitionValues(source: source, asset: asset, sourceTimeMillis: sourceTimeMillis)
    }

    enum CodingKeys: String, CodingKey {
        case source, asset, symbol
        case quoteCurrency = "quote_currency"
        case price
        case marketCap = "market_cap"
        case volume24h = "volume_24h"
        case change1h = "change_1h"
        case change24h = "change_24h"
        case change7d = "change_7d"
        case sourceTimeMillis = "source_time_ms"
        case collectedTimeMillis = "collected_time_ms"
    }
}
