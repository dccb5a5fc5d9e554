import CryptoVizCore
import Foundation
import Lakehouse

/// Deterministic candle records for the candles table tests.
enum CandleFixtures {
    /// 2025-11-25T22:00:00Z: hourly bars cross midnight, so tables get two date partitions.
    static let start: Int64 = 1_764_108_000_000
    static let assets: [AssetID] = ["bitcoin", "ethereum"]
    static let sources: [ProviderID] = [.binance, .coinGecko]

    /// `count` bars per asset and source at `interval`, starting `offset` bars after `start`.
    static func records(count: Int, offset: Int = 0, interval: CandleInterval = .oneHour, isFinal: Bool = true,
                        origin: CandleOrigin = .backfill, ingestTimeMillis: Int64 = start + 86_400_000,
                        assets: [AssetID] = assets, sources: [ProviderID] = sources) -> [CandleRecord] {
        var out: [CandleRecord] = []
        for step in offset..<(offset + count) {
            let t = start + Int64(step) * interval.millis
            for (ai, asset) in assets.enumerated() {
                for (si, source) in sources.enumerated() {
                    let base = 1000.0 * Double(ai + 1) + Double((step * 13 + si * 7) % 100)
                    out.append(CandleRecord(
                        source: source, asset: asset, symbol: asset.rawValue.prefix(3).uppercased() + "USDT",
                        quoteCurrency: "USDT", interval: interval, openTimeMillis: t,
                        open: base, high: base + 5.5, low: base - 3.25, close: base + 1.0,
                        baseVolume: 10 + Double(step), quoteVolume: (10 + Double(step)) * base,
                        tradeCount: source == .binance ? Int64(100 + step) : nil,
                        marketCap: source == .coinGecko ? base * 1e7 : nil,
                        isFinal: isFinal, origin: origin, ingestTimeMillis: ingestTimeMillis))
                }
            }
        }
        return out
    }

    /// The order scans return: open time, then source, then asset.
    static func scanOrder(_ records: [CandleRecord]) -> [CandleRecord] {
        records.sorted {
            ($0.openTimeMillis, $0.source.rawValue, $0.asset.rawValue) < ($1.openTimeMillis, $1.source.rawValue, $1.asset.rawValue)
        }
    }
}
