import CryptoVizCore
import Testing
@testable import Collectors

@Suite struct AssetDirectoryTests {
    /// Three unrelated coins trade as "ONE"; CoinGecko and CMC spell some names differently.
    static let directory = AssetDirectory(listings: [
        CoinGeckoListing(id: "bitcoin", symbol: "btc", name: "Bitcoin", marketCapRank: 1, marketCap: 1.3e12),
        CoinGeckoListing(id: "binancecoin", symbol: "bnb", name: "BNB", marketCapRank: 4, marketCap: 8e10),
        CoinGeckoListing(id: "matic-network", symbol: "matic", name: "Polygon", marketCapRank: 20, marketCap: 7e9),
        CoinGeckoListing(id: "harmony", symbol: "one", name: "Harmony", marketCapRank: 150, marketCap: 2e8),
        CoinGeckoListing(id: "menlo-one", symbol: "one", name: "Menlo One", marketCapRank: 2400, marketCap: 1e5),
        CoinGeckoListing(id: "bigone-token", symbol: "one", name: "BigONE Token", marketCapRank: nil, marketCap: nil),
        CoinGeckoListing(id: "deep-coin", symbol: "dpc", name: "Deep", marketCapRank: 900, marketCap: 1e6),
    ], symbolRankHorizon: 500)

    @Test func cmcSlugEqualToCoinGeckoIdWins() throws {
        let listing = CoinMarketCapListing(id: 3945, slug: "harmony", symbol: "ONE", name: "Harmony", rank: 120)
        let (id, rule) = try Self.directory.resolve(listing).get()
        #expect(id == "harmony" && rule == .slug)
    }

    @Test func cmcNameResolvesWhenSlugDiffers() throws {
        let listing = CoinMarketCapListing(id: 1839, slug: "bnb", symbol: "BNB", name: "BNB", rank: 4)
        let (id, rule) = try Self.directory.resolve(listing).get()
        #expect(id == "binancecoin" && rule == .name)
    }

    @Test func cmcSymbolResolvesOnlyWhenUniqueAmongTopRanked() throws {
        let polygon = CoinMarketCapListing(id: 3890, slug: "polygon", symbol: "MATIC", name: "Polygon Ecosystem", rank: 20)
        let (id, rule) = try Self.directory.resolve(polygon).get()
        #expect(id == "matic-network" && rule == .uniqueSymbol)
        // Unique ticker but ranked beyond the horizon: not trusted.
        let deep = CoinMarketCapListing(id: 9, slug: "deep-network", symbol: "DPC", name: "Deep Network", rank: 900)
        #expect(throws: AssetDirectory.Unresolved.ambiguousSymbol) { try Self.directory.resolve(deep).get() }
    }

    @Test func ambiguousCMCTickerIsUnresolvedNeverGuessed() throws {
        let menlo = CoinMarketCapListing(id: 2550, slug: "menlo-one-token", symbol: "ONE", name: "Menlo One Token", rank: 2300)
        #expect(throws: AssetDirectory.Unresolved.ambiguousSymbol) { try Self.directory.resolve(menlo).get() }
        let unknown = CoinMarketCapListing(id: 1, slug: "zzz", symbol: "ZZZ", name: "Zed", rank: 1)
        #expect(throws: AssetDirectory.Unresolved.unknownSymbol) { try Self.directory.resolve(unknown).get() }
    }

    @Test func exchangeBaseSymbolMapsToHighestMarketCapHolder() throws {
        let (id, rule) = try Self.directory.resolve(exchangeBaseSymbol: "ONE").get()
        #expect(id == "harmony" && rule == .highestMarketCapSymbol)
        #expect(try Self.directory.resolve(exchangeBaseSymbol: "btc").get().0 == "bitcoin")
        #expect(throws: AssetDirectory.Unresolved.unknownSymbol) { try Self.directory.resolve(exchangeBaseSymbol: "BTCUP").get() }
    }

    @Test func topListsByRankWithUnrankedLast() {
        #expect(Self.directory.top(3) == ["bitcoin", "binancecoin", "matic-network"])
        #expect(Self.directory.listings.last?.id == "bigone-token")
    }

    @Test func mergeRefreshesRankOfKnownIds() throws {
        var directory = Self.directory
        directory.merge([CoinGeckoListing(id: "menlo-one", symbol: "one", name: "Menlo One", marketCapRank: 2, marketCap: 1e11)])
        #expect(directory.count == Self.directory.count)
        #expect(directory.top(2) == ["bitcoin", "menlo-one"])
        #expect(try directory.resolve(exchangeBaseSymbol: "ONE").get().0 == "menlo-one")
    }
}
