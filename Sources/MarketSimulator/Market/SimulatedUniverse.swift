import CryptoVizCore

/// The generated set of assets: realistic spread of prices (1e-8 … 1e5) and market caps
/// (~1e12 down to ~1e8), generated names, and the identity traps the collectors must handle:
/// duplicate tickers (three coins trade as "ONE"), CoinMarketCap slugs and names that differ
/// from CoinGecko's, exchange pairs only for the dominant coin of a ticker, non-USDT pairs.
public struct SimulatedUniverse: Sendable {
    /// Assets in market-cap order (index 0 is rank 1).
    public let assets: [SimulatedAsset]
    /// Non-USDT Binance pairs (e.g. "ETHBTC"), listed so collectors can prove they skip them.
    public let otherBinancePairs: [String]
    /// Coinbase products a USD collector must not poll: other quotes, and a USD product that is
    /// not online (`status` "delisted").
    public let otherCoinbaseProducts: [CoinbaseListingEntry]
    /// Kraken pairs a USD collector must skip: other quotes, and fiat against USD.
    public let otherKrakenPairs: [String]

    /// One `/products` entry of the simulated Coinbase listing.
    public struct CoinbaseListingEntry: Sendable, Hashable {
        public var id: String
        public var base: String
        public var quote: String
        public var status: String
    }

    /// Coinbase lists the dominant coin of each ticker among the top `coinbaseDepth`, except
    /// every fifth rank, so that a watch list always holds coins the venue lacks.
    public static let coinbaseDepth = 100
    /// Kraken lists the dominant coin of each ticker among the top `krakenDepth`, except every sixth rank.
    public static let krakenDepth = 120
    /// Kraken's legacy pair names for the coins that have one (its X/Z-prefixed four-letter codes).
    public static let krakenLegacyPairs: [String: String] = ["bitcoin": "XXBTZUSD", "ethereum": "XETHZUSD", "tether": "USDTZUSD"]

    /// Generates `count` assets (at least 3) deterministically from `seed`.
    public init(count: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let count = max(3, count)
        var assets: [SimulatedAsset] = []
        var usedIDs = Set<String>()
        var usedSymbols: [String] = []
        let syllables = ["ze", "ka", "lo", "mi", "ra", "to", "vex", "nor", "qua", "li", "sy", "dar", "fen",
                         "gal", "hy", "jo", "pul", "zen", "bri", "cor", "tam", "wix", "ob", "el", "un", "ska"]
        let suffixes = ["", "", " Coin", " Network", " Protocol", " Finance", " Token", " Chain", " AI", ""]
        // Fixed heads and the "ONE" family at fixed ranks, when the universe is large enough.
        let fixed: [Int: (String, String, String, Double)] = [
            0: ("bitcoin", "Bitcoin", "BTC", 65_000),
            1: ("ethereum", "Ethereum", "ETH", 3_400),
            2: ("tether", "Tether", "USDT", 1),
            39: ("harmony", "Harmony", "ONE", 0.0123),
            149: ("menlo-one", "Menlo One", "ONE", 0.00000123),
            259: ("bigone-token", "BigONE Token", "ONE", 0.0004),
        ]
        for index in 0..<count {
            let rank = index + 1
            var id: String, name: String, symbol: String, price: Double
            if let head = fixed[index] {
                (id, name, symbol, price) = head
            } else {
                let parts = 2 + Int(rng.next() % 2)
                var word = ""
                for _ in 0..<parts { word += syllables[Int(rng.next() % UInt64(syllables.count))] }
                let suffix = suffixes[Int(rng.next() % UInt64(suffixes.count))]
                name = String(word.prefix(1)).uppercased() + String(word.dropFirst()) + suffix
                id = name.lowercased().replacingSpaces()
                var n = 2
                let stem = id
                while usedIDs.contains(id) {
                    id = "\(stem)-\(n)"
                    n += 1
                }
                if index % 17 == 16, !usedSymbols.isEmpty {
                    // A deliberate namesake of an earlier, bigger coin.
                    symbol = usedSymbols[Int(rng.next() % UInt64(usedSymbols.count))]
                } else {
                    let letters = word.uppercased().filter { $0.isLetter }
                    symbol = String(letters.prefix(3 + Int(rng.next() % 2)))
                    var k = 2
                    let base = symbol
                    while usedSymbols.contains(symbol) || symbol == "ONE" || symbol == "USDT" {
                        symbol = "\(base.prefix(3))\(k)"
                        k += 1
                    }
                }
                // Log-uniform over 1e-8 … 1e5.
                price = Self.pow10(-8 + 13 * rng.unit())
            }
            usedIDs.insert(id)
            usedSymbols.append(symbol)
            let marketCap = 1.3e12 * Self.pow(Double(rank), -1.6)
            let volatility = symbol == "USDT" ? 0.002 : 0.5 + rng.unit()
            func drift(_ range: Double) -> Double { symbol == "USDT" ? 1 : 1 + (rng.unit() - 0.5) * range }
            // CMC spelling: mostly equal; every 7th differs in slug (name rule applies), every
            // 11th in slug and name (only a unique ticker can resolve it).
            var cmcSlug = id, cmcName = name
            if index >= 3, index % 7 == 3 { cmcSlug = "\(symbol.lowercased())-cmc-\(index)" }
            if index >= 3, index % 11 == 5 {
                // Suffixes no generated CoinGecko id or name carries, so no rule can mis-match them.
                cmcSlug = "\(id)-cmc"
                cmcName = "\(name) Legacy"
            }
            if id == "menlo-one" {
                cmcSlug = "menlo-one-token"
                cmcName = "Menlo One Token"
            }
            assets.append(SimulatedAsset(
                id: id, name: name, symbol: symbol,
                cmcID: index == 0 ? 1 : 1000 + index * 7, cmcSlug: cmcSlug, cmcName: cmcName,
                binancePair: nil,
                circulatingSupply: marketCap / price, volatility: volatility, initialPrice: price,
                open1h: price / drift(0.02), open24h: price / drift(0.2), open7d: price / drift(0.6),
                turnover: 0.01 + rng.unit() * 0.2))
        }
        // Binance lists the dominant coin of each ticker against USDT (not USDT itself).
        var listed = Set<String>()
        for index in assets.indices where assets[index].symbol != "USDT" {
            if listed.insert(assets[index].symbol).inserted {
                assets[index].binancePair = assets[index].symbol + "USDT"
            }
        }
        // Coinbase and Kraken list USDT against USD too; rank 4 is delisted on Coinbase (still
        // in `/products`, status "delisted"), so a collector must read the status.
        // A ticker belongs to its best-ranked coin even where that coin is not listed: a venue
        // never lists a namesake under the dominant coin's ticker.
        var tickers = Set<String>()
        var otherCoinbase = [
            CoinbaseListingEntry(id: "BTC-EUR", base: "BTC", quote: "EUR", status: "online"),
            CoinbaseListingEntry(id: "ETH-BTC", base: "ETH", quote: "BTC", status: "online"),
        ]
        for index in assets.indices {
            let symbol = assets[index].symbol
            guard tickers.insert(symbol).inserted else { continue }
            if index < Self.coinbaseDepth, index % 5 != 4 {
                if index == 3 {
                    otherCoinbase.append(CoinbaseListingEntry(id: "\(symbol)-USD", base: symbol, quote: "USD", status: "delisted"))
                } else {
                    assets[index].coinbaseProduct = "\(symbol)-USD"
                }
            }
            if index < Self.krakenDepth, index % 6 != 5 {
                assets[index].krakenPair = Self.krakenLegacyPairs[assets[index].id] ?? "\(symbol)USD"
            }
        }
        otherCoinbaseProducts = otherCoinbase
        otherKrakenPairs = ["XXBTZEUR", "XETHXXBT", "XBTUSDT", "ZEURZUSD", "AUDUSD"]
        self.assets = assets
        var others = ["BTCEUR", "ETHBTC", "BTCTRY"]
        for asset in assets.prefix(20) where asset.symbol != "BTC" && asset.symbol != "USDT" {
            others.append(asset.symbol + "BTC")
        }
        others.append("BTCUPUSDT")  // a leveraged token: USDT-quoted but no listed base asset
        otherBinancePairs = others
    }

    static func pow10(_ x: Double) -> Double { pow(10, x) }
    static func pow(_ base: Double, _ exponent: Double) -> Double { _exp(exponent * _log(base)) }
}

import Foundation

@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }

extension String {
    func replacingSpaces() -> String {
        String(map { $0 == " " ? "-" : $0 })
    }
}
