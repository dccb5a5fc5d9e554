import CryptoVizCore
import Lakehouse

/// How far apart the sources of one asset were, bucket by bucket: each source's candle close,
/// and the spread (highest close − lowest) as a percentage of their median. A bucket where fewer
/// than two sources have a candle has no spread and is left out.
enum SpreadHistory {
    /// The points for `asset` over `query`'s range from each of `sources` (at most 8).
    static func points(asset: AssetID, sources: [ProviderID], query: CandleQuery,
                       data: any MarketDataSource) async throws -> [SpreadPointDTO] {
        var closes: [Int64: [String: Double]] = [:]
        for source in sources.prefix(8) {
            var perSource = query
            perSource.sources = [source]
            for candle in try await data.candles(perSource) {
                closes[candle.startMs, default: [:]][source.rawValue] = candle.close
            }
        }
        return closes.keys.sorted().compactMap { start in
            let bySource = closes[start]!
            guard bySource.count >= 2 else { return nil }
            let sorted = bySource.values.sorted()
            let mid = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
            guard median > 0 else { return nil }
            return SpreadPointDTO(startMs: start, spreadPct: (sorted.last! - sorted.first!) / median * 100, closes: bySource)
        }
    }
}

/// One bucket of `GET /api/v1/assets/{asset}/spread/history`.
struct SpreadPointDTO: Encodable, Sendable {
    var startMs: Int64
    var spreadPct: Double
    /// Close per source; the keys are source ids, written as they are.
    var closes: [String: Double]
}

struct SpreadHistoryResponse: Encodable {
    var asset: String
    var interval: String
    var points: [SpreadPointDTO]
}
