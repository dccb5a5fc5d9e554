/// One coin of the simulated market, with its identity as each provider spells it.
public struct SimulatedAsset: Sendable, Hashable {
    /// CoinGecko id (the canonical id the collectors should produce).
    public var id: String
    public var name: String
    /// Upper-case ticker; deliberately not unique across assets.
    public var symbol: String
    /// CoinMarketCap's integer id, slug and name, which may differ from CoinGecko's.
    public var cmcID: Int
    public var cmcSlug: String
    public var cmcName: String
    /// The Binance pair quoted in USDT ("BTCUSDT"), if the asset trades there.
    public var binancePair: String?
    /// The online Coinbase Exchange product against USD ("BTC-USD"), if the asset trades there.
    public var coinbaseProduct: String? = nil
    /// The Kraken pair against USD as Kraken names it (legacy "XXBTZUSD", plain "SOLUSD"), if listed.
    public var krakenPair: String? = nil
    /// Units in circulation: market cap = price × supply.
    public var circulatingSupply: Double
    /// Annualised volatility of the geometric Brownian motion.
    public var volatility: Double
    public var initialPrice: Double
    /// Reference prices 1 h, 24 h and 7 d ago, for the percentage-change fields.
    public var open1h: Double
    public var open24h: Double
    public var open7d: Double
    /// Daily traded value as a fraction of market cap.
    public var turnover: Double
}
