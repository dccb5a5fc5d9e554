import CryptoVizCore
import Foundation
import HummingbirdWebSocket
import Synchronization

/// One Kraken WebSocket v2 connection (`/v2`): a `status` message on connect, in-band
/// `subscribe` to the `ticker` channel (acked per symbol, unknown symbols refused as Kraken
/// does), a snapshot then updates every `tickerInterval` from the same market as the REST
/// endpoints, a `heartbeat` every second, and `ping` answered with `pong`
/// (docs.kraken.com/api/docs/websocket-v2: status, ticker, heartbeat, ping).
struct KrakenStreamSession: Sendable {
    let market: MarketState
    let tickerInterval: Duration
    /// v2 symbol ("BTC/USD") → asset index, for the assets listed on Kraken.
    let symbols: [String: Int]
    let connectionID: Int

    init(market: MarketState, tickerInterval: Duration, connectionID: Int) {
        self.market = market
        self.tickerInterval = tickerInterval
        self.connectionID = connectionID
        var symbols: [String: Int] = [:]
        for (index, asset) in market.universe.assets.enumerated() where asset.krakenPair != nil {
            symbols["\(asset.symbol)/USD"] = index
        }
        self.symbols = symbols
    }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (out, sink) = AsyncStream<String>.makeStream()
        let inbox = SubscriptionInbox()
        sink.yield(#"{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2","connection_id":\#(connectionID)}]}"#)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in out { try await outbound.write(.text(text)) }
            }
            group.addTask {
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                while let message = try await iterator.next() {
                    guard case .text(let text) = message else { continue }
                    self.answer(text, sink: sink, inbox: inbox)
                }
                sink.finish()
            }
            group.addTask {
                var subscribed: [String] = []
                var fresh: [String] = []
                var lastHeartbeat = ContinuousClock.now
                let clock = ContinuousClock()
                var nextUpdate = clock.now + tickerInterval
                while !Task.isCancelled {
                    for symbol in inbox.drain() where !subscribed.contains(symbol) {
                        subscribed.append(symbol)
                        fresh.append(symbol)
                    }
                    if !subscribed.isEmpty {
                        let quotes = await market.quotes()
                        if !fresh.isEmpty {
                            // A new subscription gets its snapshot at once, updates on the ticker beat.
                            sink.yield(Self.ticker(type: "snapshot", fresh, quotes: quotes, symbols: symbols))
                            fresh = []
                        }
                        if clock.now >= nextUpdate {
                            sink.yield(Self.ticker(type: "update", subscribed, quotes: quotes, symbols: symbols))
                            nextUpdate = clock.now + tickerInterval
                        }
                        if clock.now - lastHeartbeat >= .seconds(1) {
                            sink.yield(#"{"channel":"heartbeat"}"#)
                            lastHeartbeat = clock.now
                        }
                    }
                    try await Task.sleep(for: min(tickerInterval, .milliseconds(200)))
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Answers one client message: subscribe (ack or refusal per symbol) or ping.
    private func answer(_ text: String, sink: AsyncStream<String>.Continuation, inbox: SubscriptionInbox) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let method = object["method"] as? String else {
            sink.yield(#"{"error":"Malformed request","method":"unknown","success":false}"#)
            return
        }
        let requestID = (object["req_id"] as? Int).map(String.init) ?? "null"
        switch method {
        case "ping":
            sink.yield(#"{"method":"pong","req_id":\#(requestID)}"#)
        case "subscribe":
            let params = object["params"] as? [String: Any]
            guard params?["channel"] as? String == "ticker", let wanted = params?["symbol"] as? [String] else {
                sink.yield(#"{"error":"Unsupported subscription","method":"subscribe","success":false,"req_id":\#(requestID)}"#)
                return
            }
            var accepted: [String] = []
            for symbol in wanted {
                if symbols[symbol] != nil {
                    accepted.append(symbol)
                    sink.yield(#"{"method":"subscribe","result":{"channel":"ticker","symbol":\#(JSONText.string(symbol)),"snapshot":true},"success":true,"req_id":\#(requestID)}"#)
                } else {
                    sink.yield(#"{"error":"Currency pair not supported \#(symbol.filter { $0.isLetter || $0 == "/" })","method":"subscribe","success":false,"symbol":\#(JSONText.string(symbol)),"req_id":\#(requestID)}"#)
                }
            }
            inbox.add(accepted)
        default:
            sink.yield(#"{"error":"Method not supported","method":\#(JSONText.string(method)),"success":false,"req_id":\#(requestID)}"#)
        }
    }

    static func ticker(type: String, _ wanted: [String], quotes: [MarketState.Quote], symbols: [String: Int]) -> String {
        let data = wanted.compactMap { symbol -> String? in
            guard let index = symbols[symbol] else { return nil }
            let quote = quotes[index]
            let price = quote.price, open = quote.asset.open24h
            return JSONText.object([
                ("symbol", JSONText.string(symbol)),
                ("bid", JSONText.number(price * 0.9999)), ("bid_qty", JSONText.number(1.5)),
                ("ask", JSONText.number(price * 1.0001)), ("ask_qty", JSONText.number(2.5)),
                ("last", JSONText.number(price)), ("volume", JSONText.number(quote.volume24h * 0.05 / price)),
                ("vwap", JSONText.number(price)), ("low", JSONText.number(min(price, open) * 0.99)),
                ("high", JSONText.number(max(price, open) * 1.01)), ("change", JSONText.number(price - open)),
                ("change_pct", JSONText.number((price / open - 1) * 100)),
            ])
        }
        return #"{"channel":"ticker","type":"\#(type)","data":["# + data.joined(separator: ",") + "]}"
    }
}

/// Symbols accepted by the reader, picked up by the ticker loop on its next beat.
private final class SubscriptionInbox: Sendable {
    private let symbols = Mutex<[String]>([])

    func add(_ accepted: [String]) { symbols.withLock { $0 += accepted } }

    func drain() -> [String] {
        symbols.withLock { pending in
            defer { pending = [] }
            return pending
        }
    }
}
