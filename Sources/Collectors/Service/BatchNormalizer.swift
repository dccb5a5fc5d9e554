import CryptoVizCore

/// Turns a provider's batch into validated `Tick`s for the watched assets, counting every
/// record it drops and why.
public struct BatchNormalizer: Sendable {
    /// A normalized batch with its accounting.
    public struct Result: Sendable {
        public var ticks: [Tick] = []
        /// Parse and validation rejections by `TickRejection.kind`.
        public var rejected: [String: Int] = [:]
        /// Records whose asset no directory rule resolved, by reason.
        public var unresolved: [String: Int] = [:]
        /// A few unresolved source names, for the log line (never more than 5).
        public var unresolvedSamples: [String] = []
        /// Resolved but not on the watch list.
        public var unwatched = 0
        /// Deliberately out of scope at the source (e.g. non-USDT pairs).
        public var ignored = 0
    }

    public var validator: TickValidator

    public init(validator: TickValidator = .init()) {
        self.validator = validator
    }

    /// Resolves, filters and validates `batch`. A second valid record for an asset already delivered in
    /// the same batch is counted as unresolved (`duplicate_asset`): the first, better-ranked one wins.
    public func normalize(
        _ batch: ProviderBatch, directory: AssetDirectory, watch: Set<AssetID>, collectedAtMillis: Int64
    ) -> Result {
        var result = Result()
        result.ignored = batch.ignoredRecords
        for rejection in batch.rejections { result.rejected[rejection.kind, default: 0] += 1 }
        var seen = Set<AssetID>()
        for quote in batch.quotes {
            let resolution: Swift.Result<(AssetID, AssetDirectory.Rule), AssetDirectory.Unresolved>
            let sourceName: String
            switch quote.identity {
            case .coinGecko(let id):
                resolution = directory.resolve(coinGeckoID: id)
                sourceName = id.rawValue
            case .coinMarketCap(let listing):
                resolution = directory.resolve(listing)
                sourceName = "\(listing.slug)/\(listing.symbol)"
            case .exchangeBase(let base):
                resolution = directory.resolve(exchangeBaseSymbol: base)
                sourceName = base
            }
            let asset: AssetID
            switch resolution {
            case .success(let (id, _)):
                asset = id
            case .failure(let reason):
                result.unresolved[reason.rawValue, default: 0] += 1
                if result.unresolvedSamples.count < 5 { result.unresolvedSamples.append(sourceName) }
                continue
            }
            guard watch.contains(asset) else {
                result.unwatched += 1
                continue
            }
            guard !seen.contains(asset) else {
                result.unresolved["duplicate_asset", default: 0] += 1
                continue
            }
            let tick = Tick(
                source: batch.provider, asset: asset, symbol: quote.symbol, quoteCurrency: quote.quoteCurrency,
                price: quote.price, marketCap: quote.marketCap, volume24h: quote.volume24h,
                change1h: quote.change1h, change24h: quote.change24h, change7d: quote.change7d,
                sourceTimeMillis: quote.sourceTimeMillis, collectedTimeMillis: collectedAtMillis)
            if let rejection = validator.rejection(for: tick, nowMillis: collectedAtMillis) {
                result.rejected[rejection.kind, default: 0] += 1
                continue
            }
            seen.insert(asset)
            result.ticks.append(tick)
        }
        return result
    }
}
