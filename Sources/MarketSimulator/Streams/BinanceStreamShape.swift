/// Binance spot combined-stream frames as the real venue sends them: `{"stream", "data"}`,
/// prices and quantities as strings with 8 decimals, times in ms
/// (developers.binance.com/docs/binance-spot-api-docs/web-socket-streams).
enum BinanceStreamShape {
    static func envelope(stream: String, data: String) -> String {
        #"{"stream":"# + JSONText.string(stream) + #","data":"# + data + "}"
    }

    /// One `24hrMiniTicker` record.
    static func miniTicker(pair: String, price: Double, open: Double, quoteVolume: Double, eventMillis: Int64) -> String {
        JSONText.object([
            ("e", JSONText.string("24hrMiniTicker")), ("E", String(eventMillis)), ("s", JSONText.string(pair)),
            ("c", JSONText.decimalString(max(price, 1e-8))), ("o", JSONText.decimalString(open)),
            ("h", JSONText.decimalString(max(price, open) * 1.01)), ("l", JSONText.decimalString(min(price, open) * 0.99)),
            ("v", JSONText.decimalString(quoteVolume / max(price, 1e-8), places: 2)),
            ("q", JSONText.decimalString(quoteVolume, places: 2)),
        ])
    }

    static func trade(_ trade: SimulatedTrade, eventMillis: Int64) -> String {
        JSONText.object([
            ("e", JSONText.string("trade")), ("E", String(eventMillis)), ("s", JSONText.string(trade.pair)),
            ("t", String(trade.id)), ("p", JSONText.decimalString(trade.price)),
            ("q", JSONText.decimalString(trade.quantity)), ("T", String(trade.timeMillis)),
            ("m", trade.buyerIsMaker ? "true" : "false"), ("M", "true"),
        ])
    }

    static func kline(pair: String, openMillis: Int64, open: Double, high: Double, low: Double, close: Double,
                      volume: Double, trades: Int, isFinal: Bool, eventMillis: Int64) -> String {
        let k = JSONText.object([
            ("t", String(openMillis)), ("T", String(openMillis + 59_999)), ("s", JSONText.string(pair)),
            ("i", JSONText.string("1m")), ("f", "100"), ("L", "200"),
            ("o", JSONText.decimalString(open)), ("c", JSONText.decimalString(close)),
            ("h", JSONText.decimalString(high)), ("l", JSONText.decimalString(low)),
            ("v", JSONText.decimalString(volume)), ("n", String(trades)), ("x", isFinal ? "true" : "false"),
            ("q", JSONText.decimalString(volume * close)), ("V", "0"), ("Q", "0"), ("B", "0"),
        ])
        return JSONText.object([("e", JSONText.string("kline")), ("E", String(eventMillis)), ("s", JSONText.string(pair)), ("k", k)])
    }

    /// `GET /api/v3/trades` ("Recent trades list"): oldest first, prices and quantities as strings.
    static func recentTrades(_ trades: [SimulatedTrade]) -> String {
        "[" + trades.map { trade in
            JSONText.object([
                ("id", String(trade.id)), ("price", JSONText.decimalString(trade.price)),
                ("qty", JSONText.decimalString(trade.quantity)),
                ("quoteQty", JSONText.decimalString(trade.price * trade.quantity)), ("time", String(trade.timeMillis)),
                ("isBuyerMaker", trade.buyerIsMaker ? "true" : "false"), ("isBestMatch", "true"),
            ])
        }.joined(separator: ",") + "]"
    }

    /// Request weight of `GET /api/v3/trades` (developers.binance.com, spot REST "Recent trades list").
    static let recentTradesWeight = 25
    static let recentTradesMaxLimit = 1000

    /// What the `malformed` stream fault sends: a frame cut off mid-object.
    static let malformed = #"{"stream":"!miniTicker@arr","data":[{"e":"24hrMini"#
}

/// A trade the simulator printed on a pair's tape.
public struct SimulatedTrade: Sendable, Hashable {
    public var pair: String
    public var id: Int64
    public var price: Double
    public var quantity: Double
    public var buyerIsMaker: Bool
    public var timeMillis: Int64
}
