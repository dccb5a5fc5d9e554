import CryptoVizCore
import Testing
@testable import Collectors

@Suite struct BatchNormalizerTests {
    static let directory = AssetDirectory(listings: [
        CoinGeckoListing(id: "bitcoin", symbol: "btc", name: "Bitcoin", marketCapRank: 1, marketCap: 1e12),
        CoinGeckoListing(id: "ethereum", symbol: "eth", name: "Ethereum", marketCapRank: 2, marketCap: 4e11),
        CoinGeckoListing(id: "dogecoin", symbol: "doge", name: "Dogecoin", marketCapRank: 9, marketCap: 2e10),
    ])
    static let now: Int64 = 1_712_508_600_000

    func quote(_ base: String, price: Double, time: Int64 = now - 1000) -> SourceQuote {
        SourceQuote(identity: .exchangeBase(base), symbol: base, quoteCurrency: "USDT", price: price, sourceTimeMillis: time)
    }

    @Test func resolvesValidatesAndCountsEveryDrop() {
        let batch = ProviderBatch(provider: .binance, quotes: [
            quote("BTC", price: 70_000),
            quote("ETH", price: 0),
            quote("DOGE", price: .nan),
            quote("BTC", price: 70_001),
            quote("XYZ", price: 1),
            quote("ETH", price: 3000, time: Self.now + 3_600_000),
        ], rejections: [.missingField(field: "lastPrice")], ignoredRecords: 4)
        let result = BatchNormalizer().normalize(batch, directory: Self.directory, watch: ["bitcoin", "ethereum", "dogecoin"],
                                                 collectedAtMillis: Self.now)
        #expect(result.ticks.map(\.asset) == ["bitcoin"])
        #expect(result.ticks.first?.quoteCurrency == "USDT")
        #expect(result.ticks.first?.collectedTimeMillis == Self.now)
        #expect(result.rejected == ["non_positive_price": 1, "non_finite_price": 1, "future_timestamp": 1, "missing_field": 1])
        #expect(result.unresolved == ["duplicate_asset": 1, "unknown_symbol": 1])
        #expect(result.unresolvedSamples == ["XYZ"])
        #expect(result.ignored == 4)
    }

    @Test func unwatchedAssetsAreSkippedAndCounted() {
        let batch = ProviderBatch(provider: .binance, quotes: [quote("BTC", price: 1), quote("DOGE", price: 0.1)])
        let result = BatchNormalizer().normalize(batch, directory: Self.directory, watch: ["dogecoin"], collectedAtMillis: Self.now)
        #expect(result.ticks.map(\.asset) == ["dogecoin"])
        #expect(result.unwatched == 1)
    }
}
