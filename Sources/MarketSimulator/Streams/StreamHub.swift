import CryptoVizCore
import Synchronization

/// The simulator's live stream tape: one clock for every WebSocket connection, so two
/// connections subscribed to the same pair see the same trades (same ids), as on the venue.
///
/// Every `tradeInterval` each subscribed pair prints one trade; every `tickerInterval` the
/// `!miniTicker@arr` frame (all Binance pairs, priced by the same `MarketState` as the REST
/// endpoints) and each subscribed pair's current 1-minute kline go out, the previous minute's
/// bar once more with `x: true` when the minute turns. Every trade sent on a connection is
/// logged, so tests can count what reached the collectors against it.
final class StreamHub: Sendable {
    enum Outbound: Sendable {
        case text(String)
        case close
        case abort
    }

    /// One trade as it went out on one connection.
    struct Sent: Sendable, Hashable {
        var connection: Int
        var pair: String
        var tradeID: Int64
    }

    /// Which venue's protocol a connection speaks (faults are shaped for it).
    enum Venue: Sendable {
        case binance
        case coinbase
    }

    struct Connection {
        var streams: Set<String>
        var venue: Venue = .binance
        /// Coinbase products subscribed on the `ticker` and `heartbeat` channels.
        var coinbaseTicker: Set<String> = []
        var coinbaseHeartbeat: Set<String> = []
        var continuation: AsyncStream<Outbound>.Continuation
        var stalled = false
        /// Trade frames (Coinbase: ticker messages) still to be skipped (the `dropTrades` fault).
        var tradesToDrop = 0
    }

    struct Bar {
        var openMillis: Int64
        var open, high, low, close: Double
        var volume: Double
        var trades: Int
    }

    struct State {
        var nextConnection = 0
        var connections: [Int: Connection] = [:]
        var lastTradeID: [String: Int64] = [:]
        var sent: [Sent] = []
        var bars: [String: Bar] = [:]
        var rng = SplitMix64(seed: 7)
        var opened = 0
        /// Trade streams ever subscribed: the venue keeps trading while a client reconnects.
        var tapeStreams = Set<String>()
        /// The most recent trades per pair, oldest first, for `GET /api/v3/trades`.
        var recent: [String: [SimulatedTrade]] = [:]
        /// Every trade printed per pair (ids), bounded like `sent`.
        var printed: [String: [Int64]] = [:]
        /// Coinbase products ever subscribed: they keep matching while a client reconnects.
        var coinbaseTape = Set<String>()
        /// Coinbase's per-product message sequence (ticker messages consume one each).
        var sequence: [String: Int64] = [:]
    }

    /// Trades kept in the sent log; the older half is dropped when it is full.
    static let sentLogLimit = 1_000_000

    let market: MarketState
    /// Binance pair ("BTCUSDT") → asset index.
    let pairs: [String: Int]
    let tradeInterval: Duration
    let tickerInterval: Duration
    let state = Mutex(State())
    /// Coinbase product ("BTC-USD") → asset index.
    let coinbaseProducts: [String: Int]

    /// How many recent trades per pair `GET /api/v3/trades` can answer (Binance: 1 000).
    let recentTradesLimit: Int

    init(market: MarketState, tradeInterval: Duration, tickerInterval: Duration, recentTradesLimit: Int = 1000) {
        self.recentTradesLimit = max(1, recentTradesLimit)
        self.market = market
        var pairs: [String: Int] = [:]
        for (index, asset) in market.universe.assets.enumerated() {
            if let pair = asset.binancePair { pairs[pair] = index }
        }
        self.pairs = pairs
        var products: [String: Int] = [:]
        for (index, asset) in market.universe.assets.enumerated() {
            if let product = asset.coinbaseProduct { products[product] = index }
        }
        self.coinbaseProducts = products
        self.tradeInterval = tradeInterval
        self.tickerInterval = tickerInterval
    }

    /// The stream names of `/stream?streams=a/b/c`, or nil when any is unknown (the upgrade is refused).
    func streams(fromPath path: String) -> [String]? {
        guard path.hasPrefix("/stream?") else { return nil }
        var names: [String]?
        for item in path.dropFirst("/stream?".count).split(separator: "&") where item.hasPrefix("streams=") {
            names = item.dropFirst("streams=".count).split(separator: "/").map(String.init)
        }
        guard let names, !names.isEmpty, names.count <= 1024 else { return nil }
        for name in names where name != "!miniTicker@arr" {
            guard let at = name.firstIndex(of: "@") else { return nil }
            let pair = String(name[..<at])
            let kind = name[name.index(after: at)...]
            guard pair == pair.lowercased(), pairs[pair.uppercased()] != nil, kind == "trade" || kind == "kline_1m" else { return nil }
        }
        return names
    }

    func register(streams: [String], venue: Venue = .binance) -> (Int, AsyncStream<Outbound>) {
        let (stream, continuation) = AsyncStream<Outbound>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = state.withLock { state in
            state.nextConnection += 1
            state.opened += 1
            state.connections[state.nextConnection] = Connection(streams: Set(streams), venue: venue, continuation: continuation)
            state.tapeStreams.formUnion(streams.filter { $0.hasSuffix("@trade") })
            return state.nextConnection
        }
        return (id, stream)
    }

    func unregister(_ id: Int) {
        let removed = state.withLock { $0.connections.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    func inject(_ fault: StreamFault) {
        state.withLock { state in
            for id in state.connections.keys {
                switch fault {
                case .stallOpenConnections: state.connections[id]?.stalled = true
                case .dropOpenConnections: state.connections[id]?.continuation.yield(.abort)
                case .closeOpenConnections: state.connections[id]?.continuation.yield(.close)
                case .malformedFrame:
                    let text = state.connections[id]?.venue == .coinbase ? CoinbaseStreamShape.malformed : BinanceStreamShape.malformed
                    state.connections[id]?.continuation.yield(.text(text))
                case .dropTrades(let count): state.connections[id]?.tradesToDrop += count
                }
            }
        }
    }

    /// A number for a connection the hub does not carry (Kraken sessions), for their status message.
    func nextSessionID() -> Int {
        state.withLock { state in
            state.nextConnection += 1
            return state.nextConnection
        }
    }

    /// The last `limit` trades of `pair` (oldest first), nil for an unknown pair.
    func recentTrades(pair: String, limit: Int) -> [SimulatedTrade]? {
        guard pairs[pair] != nil else { return nil }
        return state.withLock { Array(($0.recent[pair] ?? []).suffix(limit)) }
    }

    /// The ids of every trade printed on `pair`'s tape, sent or not.
    func printedTrades(pair: String) -> [Int64] { state.withLock { $0.printed[pair] ?? [] } }

    /// Every trade sent so far, per connection, in order.
    func sentTrades() -> [Sent] { state.withLock { $0.sent } }

    /// Connections open now, and accepted since start.
    func connectionCounts() -> (open: Int, opened: Int) { state.withLock { ($0.connections.count, $0.opened) } }

    /// Runs the tape until cancelled.
    func run() async {
        let clock = ContinuousClock()
        var nextTicker = clock.now
        var prices: [Double] = await market.quotes().map(\.price)
        while !Task.isCancelled {
            let now = Int64(wallClockMillis())
            if clock.now >= nextTicker {
                nextTicker = clock.now + tickerInterval
                let quotes = await market.quotes()
                prices = quotes.map(\.price)
                var records: [String] = []
                for quote in quotes {
                    guard let pair = quote.asset.binancePair else { continue }
                    records.append(BinanceStreamShape.miniTicker(pair: pair, price: quote.price, open: quote.asset.open24h,
                                                                 quoteVolume: quote.volume24h * 0.2, eventMillis: now))
                }
                let frame = BinanceStreamShape.envelope(stream: "!miniTicker@arr", data: "[" + records.joined(separator: ",") + "]")
                broadcast { $0 == "!miniTicker@arr" ? frame : nil }
                sendKlines(prices: prices, now: now)
                sendCoinbase(quotes: quotes, now: now)
            }
            sendTrades(prices: prices, now: now)
            try? await Task.sleep(for: tradeInterval)
        }
        state.withLock { state in
            for connection in state.connections.values { connection.continuation.finish() }
        }
    }

    /// Sends `frame(stream)` to every live connection subscribed to a stream it answers.
    private func broadcast(_ frame: (String) -> String?) {
        state.withLock { state in
            for connection in state.connections.values where !connection.stalled {
                for stream in connection.streams {
                    if let text = frame(stream) { connection.continuation.yield(.text(text)) }
                }
            }
        }
    }

    private func sendTrades(prices: [Double], now: Int64) {
        state.withLock { state in
            for stream in state.tapeStreams.sorted() {
                let pair = String(stream.dropLast("@trade".count)).uppercased()
                guard let index = pairs[pair] else { continue }
                let id = (state.lastTradeID[pair] ?? 1_000_000) + 1
                state.lastTradeID[pair] = id
                let jitter = 1 + (state.rng.unit() - 0.5) * 0.0004
                let trade = SimulatedTrade(pair: pair, id: id, price: max(prices[index] * jitter, 1e-8),
                                           quantity: 0.001 + state.rng.unit(), buyerIsMaker: state.rng.next() & 1 == 0,
                                           timeMillis: now)
                var bar = state.bars[pair] ?? Bar(openMillis: now / 60_000 * 60_000, open: trade.price, high: trade.price,
                                                  low: trade.price, close: trade.price, volume: 0, trades: 0)
                bar.high = max(bar.high, trade.price)
                bar.low = min(bar.low, trade.price)
                bar.close = trade.price
                bar.volume += trade.quantity
                bar.trades += 1
                state.bars[pair] = bar
                state.recent[pair, default: []].append(trade)
                if state.recent[pair]!.count > recentTradesLimit { state.recent[pair]!.removeFirst() }
                state.printed[pair, default: []].append(trade.id)
                if state.printed[pair]!.count > Self.sentLogLimit { state.printed[pair]!.removeFirst(Self.sentLogLimit / 2) }
                let frame = BinanceStreamShape.envelope(stream: stream, data: BinanceStreamShape.trade(trade, eventMillis: now))
                for (id, connection) in state.connections where !connection.stalled && connection.streams.contains(stream) {
                    if connection.tradesToDrop > 0 {
                        state.connections[id]?.tradesToDrop -= 1
                        continue
                    }
                    connection.continuation.yield(.text(frame))
                    state.sent.append(Sent(connection: id, pair: pair, tradeID: trade.id))
                    // Bounded for a long `cryptoviz simulate`: tests read far fewer.
                    if state.sent.count > Self.sentLogLimit { state.sent.removeFirst(state.sent.count / 2) }
                }
            }
        }
    }

    private func sendKlines(prices: [Double], now: Int64) {
        let minute = now / 60_000 * 60_000
        var frames: [String: [String]] = [:]
        state.withLock { state in
            var active = Set<String>()
            for connection in state.connections.values {
                for stream in connection.streams where stream.hasSuffix("@kline_1m") { active.insert(stream) }
            }
            for stream in active {
                let pair = String(stream.dropLast("@kline_1m".count)).uppercased()
                guard let index = pairs[pair] else { continue }
                let price = prices[index]
                var bar = state.bars[pair] ?? Bar(openMillis: minute, open: price, high: price, low: price, close: price, volume: 0, trades: 0)
                func frame(_ bar: Bar, final: Bool) -> String {
                    BinanceStreamShape.envelope(stream: stream, data: BinanceStreamShape.kline(
                        pair: pair, openMillis: bar.openMillis, open: bar.open, high: bar.high, low: bar.low, close: bar.close,
                        volume: bar.volume, trades: bar.trades, isFinal: final, eventMillis: now))
                }
                if bar.openMillis < minute {
                    frames[stream, default: []].append(frame(bar, final: true))
                    bar = Bar(openMillis: minute, open: bar.close, high: bar.close, low: bar.close, close: bar.close, volume: 0, trades: 0)
                }
                bar.high = max(bar.high, price)
                bar.low = min(bar.low, price)
                bar.close = price
                state.bars[pair] = bar
                frames[stream, default: []].append(frame(bar, final: false))
            }
        }
        broadcastMany(frames)
    }

    private func broadcastMany(_ frames: [String: [String]]) {
        guard !frames.isEmpty else { return }
        state.withLock { state in
            for connection in state.connections.values where !connection.stalled {
                for stream in connection.streams {
                    for text in frames[stream] ?? [] { connection.continuation.yield(.text(text)) }
                }
            }
        }
    }
}
