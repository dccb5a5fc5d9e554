/// Coinbase Exchange WebSocket feed messages as the venue sends them
/// (docs.cdp.coinbase.com/exchange/websocket-feed: channels `ticker` and `heartbeat`): numbers
/// as strings, `trade_id` and `sequence` as integers, times ISO 8601 with microseconds.
enum CoinbaseStreamShape {
    /// One `ticker` message: a match on `product`. `side` is the taker's side (the REST trades
    /// endpoint reports the maker's instead).
    static func ticker(_ trade: SimulatedTrade, sequence: Int64, open24h: Double, volume24h: Double) -> String {
        let price = max(trade.price, 1e-10)
        return JSONText.object([
            ("type", JSONText.string("ticker")), ("sequence", String(sequence)),
            ("product_id", JSONText.string(trade.pair)), ("price", JSONText.decimalString(price, places: 10)),
            ("open_24h", JSONText.decimalString(open24h, places: 10)),
            ("volume_24h", JSONText.decimalString(volume24h / price, places: 8)),
            ("low_24h", JSONText.decimalString(min(price, open24h) * 0.99, places: 10)),
            ("high_24h", JSONText.decimalString(max(price, open24h) * 1.01, places: 10)),
            ("volume_30d", JSONText.decimalString(volume24h * 30 / price, places: 8)),
            ("best_bid", JSONText.decimalString(price * 0.9999, places: 10)), ("best_bid_size", JSONText.decimalString(0.5)),
            ("best_ask", JSONText.decimalString(price * 1.0001, places: 10)), ("best_ask_size", JSONText.decimalString(0.7)),
            ("side", JSONText.string(trade.buyerIsMaker ? "sell" : "buy")),
            ("time", JSONText.isoTimeMicros(trade.timeMillis)), ("trade_id", String(trade.id)),
            ("last_size", JSONText.decimalString(trade.quantity)),
        ])
    }

    /// One `heartbeat` message: the product's current sequence and last trade id, which is how
    /// a client finds the messages it missed even when no ticker follows them.
    static func heartbeat(product: String, sequence: Int64, lastTradeID: Int64, nowMillis: Int64) -> String {
        JSONText.object([
            ("type", JSONText.string("heartbeat")), ("last_trade_id", String(lastTradeID)),
            ("product_id", JSONText.string(product)), ("sequence", String(sequence)),
            ("time", JSONText.isoTimeMicros(nowMillis)),
        ])
    }

    /// The `subscriptions` answer: every channel this connection now receives.
    static func subscriptions(ticker: [String], heartbeat: [String]) -> String {
        func channel(_ name: String, _ products: [String]) -> String {
            JSONText.object([("name", JSONText.string(name)),
                             ("product_ids", "[" + products.map { JSONText.string($0) }.joined(separator: ",") + "]")])
        }
        var channels: [String] = []
        if !ticker.isEmpty { channels.append(channel("ticker", ticker)) }
        if !heartbeat.isEmpty { channels.append(channel("heartbeat", heartbeat)) }
        return #"{"type":"subscriptions","channels":["# + channels.joined(separator: ",") + "]}"
    }

    /// The feed's refusal of a subscribe message (an unknown product refuses the whole message).
    static func error(message: String, reason: String) -> String {
        JSONText.object([("type", JSONText.string("error")), ("message", JSONText.string(message)),
                         ("reason", JSONText.string(reason))])
    }

    /// `GET /products/{id}/trades`: newest first; `side` is the maker's side.
    static func recentTrades(_ trades: [SimulatedTrade]) -> String {
        "[" + trades.reversed().map { trade in
            JSONText.object([
                ("time", JSONText.isoTimeMicros(trade.timeMillis)), ("trade_id", String(trade.id)),
                ("price", JSONText.decimalString(trade.price, places: 10)), ("size", JSONText.decimalString(trade.quantity)),
                ("side", JSONText.string(trade.buyerIsMaker ? "buy" : "sell")),
            ])
        }.joined(separator: ",") + "]"
    }

    /// What the `malformed` stream fault sends a Coinbase connection: a message cut off mid-object.
    static let malformed = #"{"type":"ticker","sequence":12,"product_id":"BTC-US"#
    /// Most trades one `/products/{id}/trades` page gives (Coinbase: `limit` up to 1 000).
    static let recentTradesMaxLimit = 1000
}
