import Testing
@testable import Collectors

/// The pair-name rules of `KrakenPairName`, one case per rule and per trap.
@Suite struct KrakenPairNameTests {
    @Test(arguments: [
        // Legacy eight-character names: X-prefixed crypto against ZUSD.
        ("XXBTZUSD", "BTC"), ("XETHZUSD", "ETH"), ("XXDGZUSD", "DOGE"), ("XLTCZUSD", "LTC"), ("XXRPZUSD", "XRP"),
        // A plain four-letter base against ZUSD keeps its code.
        ("USDTZUSD", "USDT"),
        // Plain names.
        ("SOLUSD", "SOL"), ("DOTUSD", "DOT"), ("XDGUSD", "DOGE"), ("XBTUSD", "BTC"), ("ADAUSD", "ADA"),
        // A base ending in Z or starting with X is not mistaken for a legacy code.
        ("XTZUSD", "XTZ"), ("ABCZUSD", "ABCZ"), ("XCNUSD", "XCN"), ("WBTCUSD", "WBTC"),
        // Lower case as some clients print it.
        ("xxbtzusd", "BTC"),
    ])
    func usdPairsMapToDirectoryTickers(name: String, base: String) {
        #expect(KrakenPairName.classify(name) == .usdQuoted(base: base))
    }

    @Test(arguments: ["ZEURZUSD", "ZGBPZUSD", "AUDUSD", "EURUSD"])
    func fiatAgainstTheDollarIsFiat(name: String) {
        #expect(KrakenPairName.classify(name) == .fiat)
    }

    @Test(arguments: ["XXBTZEUR", "XBTUSDT", "XBTUSDC", "ETHXBT", "XETHXXBT", "USD", "ZUSD", "", "SOLEUR"])
    func otherQuotesAreOutOfScope(name: String) {
        #expect(KrakenPairName.classify(name) == .otherQuote)
    }

    @Test func assetCodesMapXBTAndXDGInBothForms() {
        #expect(KrakenPairName.ticker(forCode: "XBT") == "BTC")
        #expect(KrakenPairName.ticker(forCode: "XXBT") == "BTC")
        #expect(KrakenPairName.ticker(forCode: "XDG") == "DOGE")
        #expect(KrakenPairName.ticker(forCode: "XXDG") == "DOGE")
        #expect(KrakenPairName.ticker(forCode: "SOL") == "SOL")
        #expect(KrakenPairName.ticker(forCode: "xbt") == "BTC")
    }
}
