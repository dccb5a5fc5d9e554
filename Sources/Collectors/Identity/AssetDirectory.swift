import CryptoVizCore

/// Maps every source's notion of an asset onto the canonical CoinGecko-style id.
///
/// Built from the providers' own listings, never from a hard-coded table. Tickers are not
/// identities (several unrelated coins trade as "ONE"), so each rule below only accepts a
/// match it can justify, and an asset that no rule resolves is reported as unresolved — the
/// caller counts and skips it — rather than guessed.
///
/// Rules, in order:
/// - CoinMarketCap: (1) the CMC `slug` equals a CoinGecko id; (2) the CMC `name` equals the
///   name of exactly one CoinGecko asset (case-insensitive); (3) the CMC `symbol` belongs to
///   exactly one asset among the directory's top `symbolRankHorizon` CoinGecko assets *and*
///   to no other listed asset. Otherwise unresolved.
/// - Exchange base symbols (Binance `BTC` of `BTCUSDT`): the CoinGecko asset with that
///   symbol and the best (lowest) market-cap rank. Exchanges list the dominant coin of a
///   ticker; a pair for an obscure namesake would be mis-attributed, which is the documented
///   price of having no exchange-side id. Symbols no listed asset carries are unresolved.
public struct AssetDirectory: Sendable {
    /// How an id was found, for tests and diagnostics.
    public enum Rule: String, Sendable, Hashable {
        case coinGeckoID = "coingecko_id"
        case slug
        case name
        case uniqueSymbol = "unique_symbol"
        case highestMarketCapSymbol = "highest_market_cap_symbol"
    }

    /// Why a source asset could not be mapped.
    public enum Unresolved: String, Sendable, Hashable, Error {
        /// No listed CoinGecko asset carries the symbol.
        case unknownSymbol = "unknown_symbol"
        /// Slug and name matched nothing and the symbol is shared by several assets.
        case ambiguousSymbol = "ambiguous_symbol"
        /// The CoinGecko id is not in the directory.
        case unknownID = "unknown_id"
    }

    /// Listings ordered by market-cap rank (unranked last, then by id for determinism).
    public private(set) var listings: [CoinGeckoListing]
    private var byID: [AssetID: CoinGeckoListing] = [:]
    private var byLowerName: [String: [AssetID]] = [:]
    private var byUpperSymbol: [String: [AssetID]] = [:]
    /// Only symbols held by assets ranked within this horizon may resolve CMC by symbol alone.
    public var symbolRankHorizon: Int

    /// A directory of `listings` (duplicates by id keep the first occurrence).
    public init(listings: [CoinGeckoListing] = [], symbolRankHorizon: Int = 500) {
        self.listings = []
        self.symbolRankHorizon = symbolRankHorizon
        merge(listings)
    }

    public var isEmpty: Bool { listings.isEmpty }
    public var count: Int { listings.count }

    /// Adds or refreshes listings (a later poll updates rank and market cap of known ids).
    public mutating func merge(_ update: [CoinGeckoListing]) {
        var table = byID
        for listing in update where !listing.id.rawValue.isEmpty { table[listing.id] = listing }
        byID = table
        listings = table.values.sorted { lhs, rhs in
            switch (lhs.marketCapRank, rhs.marketCapRank) {
            case let (l?, r?): l != r ? l < r : lhs.id < rhs.id
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): lhs.id < rhs.id
            }
        }
        byLowerName = [:]
        byUpperSymbol = [:]
        for listing in listings {
            byLowerName[listing.name.lowercased(), default: []].append(listing.id)
            byUpperSymbol[listing.symbol.uppercased(), default: []].append(listing.id)
        }
    }

    /// The listing for a canonical id.
    public func listing(_ id: AssetID) -> CoinGeckoListing? { byID[id] }

    /// The `n` best-ranked assets, the default watch list.
    public func top(_ n: Int) -> [AssetID] { listings.prefix(max(0, n)).map(\.id) }

    /// Resolves a CoinMarketCap listing by slug, then unique name, then unique top-ranked symbol.
    public func resolve(_ cmc: CoinMarketCapListing) -> Result<(AssetID, Rule), Unresolved> {
        let slugID = AssetID(cmc.slug)
        if byID[slugID] != nil { return .success((slugID, .slug)) }
        if let named = byLowerName[cmc.name.lowercased()], named.count == 1 {
            return .success((named[0], .name))
        }
        guard let holders = byUpperSymbol[cmc.symbol.uppercased()] else { return .failure(.unknownSymbol) }
        guard holders.count == 1, let only = byID[holders[0]],
            let rank = only.marketCapRank, rank <= symbolRankHorizon
        else { return .failure(.ambiguousSymbol) }
        return .success((only.id, .uniqueSymbol))
    }

    /// Resolves an exchange base-asset symbol to the best-ranked CoinGecko asset carrying it.
    public func resolve(exchangeBaseSymbol symbol: String) -> Result<(AssetID, Rule), Unresolved> {
        // `listings` is rank-ordered and the symbol index is built in that order.
        guard let first = byUpperSymbol[symbol.uppercased()]?.first else { return .failure(.unknownSymbol) }
        return .success((first, .highestMarketCapSymbol))
    }

    /// Confirms a CoinGecko id is known (CoinGecko records carry the canonical id already).
    public func resolve(coinGeckoID id: AssetID) -> Result<(AssetID, Rule), Unresolved> {
        byID[id] != nil ? .success((id, .coinGeckoID)) : .failure(.unknownID)
    }
}
