import Collectors
import CryptoVizCore

/// Which assets a backfill covers, resolved to each provider's names through the
/// `AssetDirectory` (the same identity rules as the live collectors).
public enum BackfillSelection {
    /// `--assets`: the top N by market cap that the provider carries, or explicit ids.
    public enum Assets: Sendable, Hashable {
        case top(Int)
        case ids([AssetID])

        /// `100` or `bitcoin,ethereum`.
        public init(parsing text: String) throws {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let n = Int(trimmed) {
                guard n > 0 else { throw BackfillError("--assets must be positive, got \(n)") }
                self = .top(n)
                return
            }
            let ids = trimmed.split(separator: ",").map { AssetID(String($0).trimmingCharacters(in: .whitespaces)) }
                .filter { !$0.rawValue.isEmpty }
            guard !ids.isEmpty else { throw BackfillError("--assets: expected a number or comma-separated CoinGecko ids") }
            self = .ids(ids)
        }
    }

    /// Binance series: each asset's USDT pair. `baseSymbols` are the bases of the venue's USDT
    /// pairs; an exchange symbol maps to the best-ranked asset carrying it. Top N means the N
    /// best-ranked assets that have a pair; explicit ids without a pair are returned as missing.
    public static func binance(directory: AssetDirectory, baseSymbols: [String], assets: Assets,
                               intervalMillis: Int64) -> (series: [HistorySeries], missing: [AssetID]) {
        var baseByAsset: [AssetID: String] = [:]
        for base in baseSymbols {
            if case .success(let (id, _)) = directory.resolve(exchangeBaseSymbol: base), baseByAsset[id] == nil {
                baseByAsset[id] = base
            }
        }
        func series(_ id: AssetID) -> HistorySeries? {
            baseByAsset[id].map {
                HistorySeries(asset: id, symbol: $0 + BinanceProvider.quoteAsset, quoteCurrency: BinanceProvider.quoteAsset,
                              intervalMillis: intervalMillis)
            }
        }
        switch assets {
        case .top(let n):
            return (Array(directory.listings.lazy.compactMap { series($0.id) }.prefix(n)), [])
        case .ids(let ids):
            return (ids.compactMap(series), ids.filter { baseByAsset[$0] == nil })
        }
    }

    /// CoinGecko series: the id is the provider's own name; unknown ids are returned as missing.
    public static func coinGecko(directory: AssetDirectory, assets: Assets, intervalMillis: Int64) -> (series: [HistorySeries], missing: [AssetID]) {
        let ids: [AssetID]
        var missing: [AssetID] = []
        switch assets {
        case .top(let n): ids = directory.top(n)
        case .ids(let wanted):
            ids = wanted.filter { directory.listing($0) != nil }
            missing = wanted.filter { directory.listing($0) == nil }
        }
        return (ids.map { HistorySeries(asset: $0, symbol: $0.rawValue, quoteCurrency: "USD", intervalMillis: intervalMillis) }, missing)
    }
}
