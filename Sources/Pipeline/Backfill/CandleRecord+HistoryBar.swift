import Collectors
import CryptoVizCore
import Lakehouse

extension CandleRecord {
    /// The candles-table row of a venue's bar, whether paged by backfill or pushed by a kline
    /// stream: one conversion, so both origins fill the same columns the same way.
    init(_ bar: HistoryBar, source: ProviderID, asset: AssetID, symbol: String, quoteCurrency: String,
         interval: CandleInterval, isFinal: Bool, origin: CandleOrigin, ingestTimeMillis: Int64) {
        self.init(source: source, asset: asset, symbol: symbol, quoteCurrency: quoteCurrency, interval: interval,
                  openTimeMillis: bar.openTimeMillis, open: bar.open, high: bar.high, low: bar.low, close: bar.close,
                  baseVolume: bar.baseVolume, quoteVolume: bar.quoteVolume, tradeCount: bar.tradeCount,
                  marketCap: bar.marketCap, isFinal: isFinal, origin: origin, ingestTimeMillis: ingestTimeMillis)
    }
}
