import CryptoVizCore
import Lakehouse

/// Deterministic 1-minute bars for benchmarks: per asset a random walk (SplitMix64 seeded by
/// the asset's index), so the same flags always give the same table.
struct SyntheticCandles {
    let assets: [AssetID]
    let source: ProviderID
    private var closes: [Double]
    private var generators: [SplitMix64]

    init(assets: Int, source: ProviderID = .binance) {
        self.assets = (0..<assets).map { AssetID(String(format: "asset%03d", $0)) }
        self.source = source
        closes = (0..<assets).map { 10 + Double($0) * 37.5 }
        generators = (0..<assets).map { SplitMix64(seed: 0xC0FFEE &+ UInt64($0)) }
    }

    /// The bars of every asset for the minutes `[fromMillis, toMillis)`, asset by asset (the
    /// order a backfill's pages arrive in), continuing each walk from the previous call.
    mutating func minutes(fromMillis: Int64, toMillis: Int64, ingestTimeMillis: Int64) -> [CandleRecord] {
        var out: [CandleRecord] = []
        out.reserveCapacity(assets.count * Int(max(0, toMillis - fromMillis) / 60_000))
        for (a, asset) in assets.enumerated() {
            let symbol = "A\(a)USDT"
            var close = closes[a]
            var t = fromMillis
            while t < toMillis {
                let open = close
                let step = Double(generators[a].next() % 2001) / 1000 - 1  // [-1, 1]
                close = max(0.0001, open * (1 + step * 0.002))
                let wick = Double(generators[a].next() % 1000) / 1_000_000
                let base = Double(generators[a].next() % 100_000) / 100
                out.append(CandleRecord(
                    source: source, asset: asset, symbol: symbol, quoteCurrency: "USDT", interval: .oneMinute,
                    openTimeMillis: t, open: open, high: max(open, close) * (1 + wick), low: min(open, close) * (1 - wick),
                    close: close, baseVolume: base, quoteVolume: base * close, tradeCount: Int64(base) + 1, marketCap: nil,
                    isFinal: true, origin: .backfill, ingestTimeMillis: ingestTimeMillis))
                t += 60_000
            }
            closes[a] = close
        }
        return out
    }
}
