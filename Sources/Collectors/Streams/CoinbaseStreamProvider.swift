import CryptoVizCore

/// Coinbase Exchange feed (`wss://ws-feed.exchange.coinbase.com`), channels `ticker` and
/// `heartbeat` for the watched coins against USD.
///
/// Docs: docs.cdp.coinbase.com/exchange/websocket-feed: a client must subscribe within 5 s
/// or is disconnected; one unknown product refuses a whole subscribe message, so each product
/// is subscribed in its own message (a coin Coinbase does not list is then refused alone,
/// dead-lettered and counted, and the others flow), paced by the settings' outgoing rate.
/// The first message goes out as soon as the socket opens, well inside the 5 s.
public struct CoinbaseStreamProvider: MarketStreamProvider {
    public static let defaultBaseURL = "wss://ws-feed.exchange.coinbase.com"

    public let id: ProviderID = .coinbase
    public let baseURL: String
    /// Products ("BTC-USD") whose tickers are also read as trades, with trade-id gap repair.
    public let tradeProducts: Set<String>

    public init(baseURL: String, tradeSymbols: [String] = []) {
        self.baseURL = baseURL
        self.tradeProducts = Set(tradeSymbols.map(Self.product))
    }

    /// "btc" → "BTC-USD".
    static func product(_ base: String) -> String {
        "\(base.uppercased())-\(CoinbaseProvider.quoteCurrency)"
    }

    public func connections(for subscription: StreamSubscription) -> [StreamConnectionPlan] {
        var products: [String] = []
        var seen = Set<String>()
        for symbol in subscription.tradeSymbols + subscription.tickerSymbols {
            let product = Self.product(symbol)
            if seen.insert(product).inserted { products.append(product) }
        }
        guard !products.isEmpty else { return [] }
        let messages = products.map { #"{"type":"subscribe","product_ids":["\#($0)"],"channels":["ticker","heartbeat"]}"# }
        return [StreamConnectionPlan(label: "coinbase#0", url: baseURL, subscribeMessages: messages, streams: products)]
    }

    public func parse(_ frame: [UInt8]) throws(StreamFrameError) -> StreamFrame {
        try CoinbaseStreamParser.parse(frame, tradeProducts: tradeProducts)
    }
}
