/// Kraken's spelling of assets and pairs, turned into the tickers the `AssetDirectory` resolves.
///
/// Kraken REST keys its tickers by its own pair names, which concatenate its asset codes
/// (docs.kraken.com "Get Tradable Asset Pairs", "Get Ticker Information"):
/// - legacy pairs join two four-character codes with a class prefix, X for crypto and Z for
///   fiat: `XXBTZUSD` is XXBT (bitcoin) against ZUSD, `XETHZUSD` ether, `ZEURZUSD` euro;
/// - newer pairs join plain codes: `SOLUSD`, `DOTUSD`, `USDTZUSD` (a plain base against ZUSD);
/// - some codes are Kraken's own: XBT for bitcoin and XDG for dogecoin (XXBT, XXDG in the
///   legacy form).
///
/// The rules, applied in this order and each tested:
/// 1. A name of eight characters ending in `ZUSD` is legacy: its first four characters are the
///    base code. A Z-prefixed base is fiat; an X-prefixed one loses its prefix (XXBT → XBT,
///    XETH → ETH, XXDG → XDG); any other (USDT) stays as it is.
/// 2. Otherwise a name ending in `USD` has the rest as its base code (SOLUSD → SOL,
///    XDGUSD → XDG, XTZUSD → XTZ). `USDT`/`USDC`/`EUR`-quoted names do not end in `USD`.
/// 3. The base code is then mapped: XBT → BTC, XDG → DOGE; fiat codes are fiat.
///
/// Known limit of rule 1: a plain five-character base ending in Z against USD (`ABCDZUSD`)
/// would read as the legacy base ABCD. Kraken lists no such pair; a new one would surface as
/// an unresolved symbol in the health board rather than as a wrong price.
public enum KrakenPairName {
    /// What a pair name is, for a collector of USD quotes.
    public enum Classification: Sendable, Hashable {
        /// A crypto asset quoted in US dollars; `base` is the ticker the directory knows.
        case usdQuoted(base: String)
        /// A fiat currency against the dollar (`ZEURZUSD`, `AUDUSD`): not a crypto asset.
        case fiat
        /// Quoted in something else (`XXBTZEUR`, `XBTUSDT`, `ETHXBT`), or not a pair name at all.
        case otherQuote
    }

    /// Kraken codes whose ticker differs elsewhere (CoinGecko, Binance, Coinbase all say BTC, DOGE).
    public static let aliases: [String: String] = ["XBT": "BTC", "XDG": "DOGE"]

    /// Fiat currencies Kraken trades against the dollar; plain pairs of these (`AUDUSD`) are fiat too.
    public static let fiatCodes: Set<String> = ["EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "AED"]

    /// Classifies a Kraken REST pair name (the keys of `/0/public/Ticker`'s `result`).
    public static func classify(_ name: String) -> Classification {
        let name = name.uppercased()
        let code: String
        if name.count == 8, name.hasSuffix("ZUSD") {
            let legacy = String(name.prefix(4))
            if legacy.hasPrefix("Z") { return .fiat }
            code = legacy.hasPrefix("X") ? String(legacy.dropFirst()) : legacy
        } else if name.hasSuffix("USD"), name.count > 3 {
            code = String(name.dropLast(3))
        } else {
            return .otherQuote
        }
        // No listed asset has a one-letter code; "ZUSD" alone is the quote asset, not a pair.
        guard code.count >= 2 else { return .otherQuote }
        let ticker = self.ticker(forCode: code)
        return fiatCodes.contains(ticker) ? .fiat : .usdQuoted(base: ticker)
    }

    /// The common ticker for a Kraken asset code: XBT and XXBT → BTC, XDG and XXDG → DOGE,
    /// anything else unchanged. The four-character legacy forms are accepted here because
    /// Kraken's asset list (`/0/public/Assets`) uses them as keys.
    public static func ticker(forCode code: String) -> String {
        let code = code.uppercased()
        if let alias = aliases[code] { return alias }
        if code.count == 4, code.hasPrefix("X"), let alias = aliases[String(code.dropFirst())] { return alias }
        return code
    }
}
