import CryptoVizCore

/// Binance spot market streams over combined-stream URLs (`/stream?streams=a/b/c`).
///
/// Docs: developers.binance.com/docs/binance-spot-api-docs/web-socket-streams: combined
/// streams wrap each event as `{stream, data}`, stream names are lower case, a connection
/// carries at most 1 024 streams and lives at most 24 h; the server pings every 20 s and the
/// WebSocket layer (WSCore) answers each ping with a pong carrying its payload.
public struct BinanceStreamProvider: MarketStreamProvider {
    public static let defaultBaseURL = "wss://stream.binance.com:9443"
    public static let allMiniTickers = "!miniTicker@arr"

    public let id: ProviderID = .binance
    public let baseURL: String
    public let maxStreamsPerConnection: Int

    public init(baseURL: String, maxStreamsPerConnection: Int = 1024) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.maxStreamsPerConnection = max(1, min(1024, maxStreamsPerConnection))
    }

    /// Stream names for `subscription`, tickers first, duplicates removed.
    public func streamNames(for subscription: StreamSubscription) -> [String] {
        var names: [String] = []
        var seen = Set<String>()
        func add(_ name: String) { if seen.insert(name).inserted { names.append(name) } }
        if subscription.allTickers { add(Self.allMiniTickers) }
        for symbol in subscription.tradeSymbols { add("\(Self.pair(symbol))@trade") }
        for symbol in subscription.klineSymbols { add("\(Self.pair(symbol))@kline_1m") }
        return names
    }

    /// "BTC" → "btcusdt": Binance stream names are lower case.
    static func pair(_ base: String) -> String {
        (base + BinanceStreamParser.quoteAsset).lowercased()
    }

    public func connections(for subscription: StreamSubscription) -> [StreamConnectionPlan] {
        let names = streamNames(for: subscription)
        var plans: [StreamConnectionPlan] = []
        var start = 0
        while start < names.count {
            let chunk = Array(names[start..<min(names.count, start + maxStreamsPerConnection)])
            plans.append(StreamConnectionPlan(
                label: "binance#\(plans.count)", url: "\(baseURL)/stream?streams=\(chunk.joined(separator: "/"))",
                streams: chunk))
            start += maxStreamsPerConnection
        }
        return plans
    }

    public func parse(_ frame: [UInt8]) throws(StreamFrameError) -> StreamFrame {
        try BinanceStreamParser.parse(frame)
    }
}
