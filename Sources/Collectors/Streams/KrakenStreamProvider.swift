import CryptoVizCore

/// Kraken spot WebSocket v2 `ticker` channel for the watched coins against USD.
///
/// Docs: docs.kraken.com/api/docs/websocket-v2/ticker: subscribe in-band with
/// `{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]},"req_id":N}`;
/// v2 spells symbols `BTC/USD` (REST and v1 use XBT), and sends `{"channel":"heartbeat"}`
/// about once a second while subscribed, which keeps the watchdog fed on quiet markets.
public struct KrakenStreamProvider: MarketStreamProvider {
    public static let defaultBaseURL = "wss://ws.kraken.com/v2"
    public static let quoteCurrency = "USD"

    public let id: ProviderID = .kraken
    public let baseURL: String
    /// Symbols per subscribe message: one message for a watch list of ordinary size.
    public let symbolsPerMessage: Int

    public init(baseURL: String, symbolsPerMessage: Int = 200) {
        self.baseURL = baseURL
        self.symbolsPerMessage = max(1, symbolsPerMessage)
    }

    public func connections(for subscription: StreamSubscription) -> [StreamConnectionPlan] {
        var symbols: [String] = []
        var seen = Set<String>()
        for ticker in subscription.tickerSymbols {
            let symbol = "\(ticker.uppercased())/\(Self.quoteCurrency)"
            if seen.insert(symbol).inserted { symbols.append(symbol) }
        }
        guard !symbols.isEmpty else { return [] }
        var messages: [String] = []
        var start = 0
        while start < symbols.count {
            let chunk = symbols[start..<min(symbols.count, start + symbolsPerMessage)]
            let list = chunk.map { #""\#($0)""# }.joined(separator: ",")
            messages.append(#"{"method":"subscribe","params":{"channel":"ticker","symbol":[\#(list)]},"req_id":\#(messages.count + 1)}"#)
            start += symbolsPerMessage
        }
        return [StreamConnectionPlan(label: "kraken#0", url: baseURL, subscribeMessages: messages, streams: symbols)]
    }

    public func parse(_ frame: [UInt8]) throws(StreamFrameError) -> StreamFrame {
        try KrakenStreamParser.parse(frame, arrivalMillis: currentUnixMillis())
    }
}
