import CryptoVizCore

/// The Coinbase Exchange part of the tape: each subscribed product matches once per ticker
/// beat (one `ticker` message, one sequence number, the next trade id), and every connection
/// with `heartbeat` gets each product's current sequence and last trade id once per beat.
extension StreamHub {
    /// Subscribes connection `id` to `products` on the given channels, all or nothing as Coinbase
    /// does: an unknown product refuses the whole message. The answer goes out on the
    /// connection's own queue, so it arrives before the data it announces.
    func subscribeCoinbase(_ id: Int, products: [String], ticker: Bool, heartbeat: Bool) {
        let unknown = products.first { coinbaseProducts[$0] == nil }
        state.withLock { state in
            guard var connection = state.connections[id] else { return }
            if let unknown {
                connection.continuation.yield(.text(CoinbaseStreamShape.error(
                    message: "Failed to subscribe", reason: "\(unknown.prefix(40)) is not a valid product")))
                return
            }
            if ticker { connection.coinbaseTicker.formUnion(products) }
            if heartbeat { connection.coinbaseHeartbeat.formUnion(products) }
            state.connections[id] = connection
            if ticker { state.coinbaseTape.formUnion(products) }
            connection.continuation.yield(.text(CoinbaseStreamShape.subscriptions(
                ticker: connection.coinbaseTicker.sorted(), heartbeat: connection.coinbaseHeartbeat.sorted())))
        }
    }

    /// True once connection `id` subscribed to anything (Coinbase closes a silent client after 5 s).
    func hasCoinbaseSubscription(_ id: Int) -> Bool {
        state.withLock { state in
            guard let connection = state.connections[id] else { return true }
            return !connection.coinbaseTicker.isEmpty || !connection.coinbaseHeartbeat.isEmpty
        }
    }

    /// The last `limit` trades of `product` (oldest first), nil for an unknown product.
    func coinbaseRecentTrades(product: String, limit: Int) -> [SimulatedTrade]? {
        guard coinbaseProducts[product] != nil else { return nil }
        return state.withLock { Array(($0.recent[product] ?? []).suffix(limit)) }
    }

    func sendCoinbase(quotes: [MarketState.Quote], now: Int64) {
        state.withLock { state in
            guard !state.coinbaseTape.isEmpty else { return }
            for product in state.coinbaseTape.sorted() {
                guard let index = coinbaseProducts[product] else { continue }
                let quote = quotes[index]
                let id = (state.lastTradeID[product] ?? 50_000_000) + 1
                state.lastTradeID[product] = id
                let sequence = (state.sequence[product] ?? 9_000_000) + 1
                state.sequence[product] = sequence
                let jitter = 1 + (state.rng.unit() - 0.5) * 0.0004
                let trade = SimulatedTrade(pair: product, id: id, price: max(quote.price * jitter, 1e-8),
                                           quantity: 0.001 + state.rng.unit(), buyerIsMaker: state.rng.next() & 1 == 0,
                                           timeMillis: now)
                state.recent[product, default: []].append(trade)
                if state.recent[product]!.count > recentTradesLimit { state.recent[product]!.removeFirst() }
                state.printed[product, default: []].append(id)
                if state.printed[product]!.count > Self.sentLogLimit { state.printed[product]!.removeFirst(Self.sentLogLimit / 2) }
                let frame = CoinbaseStreamShape.ticker(trade, sequence: sequence, open24h: quote.asset.open24h,
                                                       volume24h: quote.volume24h * 0.1)
                for (connectionID, connection) in state.connections
                where !connection.stalled && connection.coinbaseTicker.contains(product) {
                    if connection.tradesToDrop > 0 {
                        state.connections[connectionID]?.tradesToDrop -= 1
                        continue
                    }
                    connection.continuation.yield(.text(frame))
                    state.sent.append(Sent(connection: connectionID, pair: product, tradeID: id))
                    if state.sent.count > Self.sentLogLimit { state.sent.removeFirst(state.sent.count / 2) }
                }
            }
            for connection in state.connections.values where !connection.stalled && !connection.coinbaseHeartbeat.isEmpty {
                for product in connection.coinbaseHeartbeat.sorted() {
                    guard let sequence = state.sequence[product], let last = state.lastTradeID[product] else { continue }
                    connection.continuation.yield(.text(CoinbaseStreamShape.heartbeat(
                        product: product, sequence: sequence, lastTradeID: last, nowMillis: now)))
                }
            }
        }
    }
}

extension StreamHub {
    /// Queues `text` on connection `id` (control answers, in order with its data).
    func send(_ text: String, to id: Int) {
        _ = state.withLock { $0.connections[id]?.continuation.yield(.text(text)) }
    }
}
