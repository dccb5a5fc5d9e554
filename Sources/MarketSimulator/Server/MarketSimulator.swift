import CryptoVizCore
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// A loopback HTTP server speaking CoinGecko, CoinMarketCap, Binance, Coinbase Exchange and
/// Kraken in their real response shapes, over a simulated market, with the providers' rate
/// limits and injectable faults.
///
/// Start it in-process with `start(configuration:logger:)` (tests, `cryptoviz up --demo`) and
/// point the collectors at `endpoints`; `stats()` or `GET /_sim/stats` report every request
/// each provider received, so tests can prove the collectors stayed inside the limits.
public final class MarketSimulator: Sendable {
    /// Base URLs of the simulated APIs, in the form the collectors' settings expect.
    public struct Endpoints: Sendable, Hashable {
        /// Includes `/api/v3`, like `https://api.coingecko.com/api/v3`.
        public var coinGecko: String
        public var coinMarketCap: String
        public var binance: String
        /// Like `https://api.exchange.coinbase.com` (`/products`, `/products/{id}/ticker`).
        public var coinbase: String
        /// Like `https://api.kraken.com` (`/0/public/Ticker`).
        public var kraken: String
        /// `GET` for request statistics as JSON.
        public var stats: String
        /// Like `wss://stream.binance.com:9443` (`/stream?streams=a/b`), here over plain `ws://`.
        public var binanceStreams: String
        /// Like `wss://ws.kraken.com/v2`, here over plain `ws://`.
        public var krakenStreams: String
        /// Like `wss://ws-feed.exchange.coinbase.com`, here over plain `ws://` at `/ws-feed`.
        public var coinbaseStreams: String
    }

    public let port: Int
    public let endpoints: Endpoints
    /// The generated assets, for tests that need the ground truth of identities.
    public let universe: SimulatedUniverse
    private let state: MarketState
    private let server: Task<Void, Never>
    private let group: ServiceGroup
    private let hub: StreamHub
    private let tape: Task<Void, Never>
    private let streamChannels: OpenStreamChannels

    private init(port: Int, host: String, state: MarketState, universe: SimulatorUniverseAndStreams, server: Task<Void, Never>, group: ServiceGroup) {
        self.port = port
        let base = "http://\(host):\(port)"
        endpoints = Endpoints(coinGecko: "\(base)/api/v3", coinMarketCap: base, binance: base, coinbase: base, kraken: base,
                              stats: "\(base)/_sim/stats", binanceStreams: "ws://\(host):\(port)",
                              krakenStreams: "ws://\(host):\(port)/v2", coinbaseStreams: "ws://\(host):\(port)/ws-feed")
        self.hub = universe.hub
        self.tape = universe.tape
        self.streamChannels = universe.streamChannels
        self.state = state
        self.universe = universe.universe
        self.server = server
        self.group = group
    }

    /// Binds the server (port 0 → an ephemeral port) and returns once it accepts connections.
    public static func start(configuration: SimulatorConfiguration, logger: Logger = Logger(label: "cryptoviz.simulator")) async throws -> MarketSimulator {
        let state = MarketState(configuration: configuration)
        if let unknown = configuration.events.unknownAsset(in: Set(state.universe.assets.map(\.id))) {
            throw SimulatorError("events: asset '\(unknown)' is not in the simulated market of \(configuration.assetCount) assets")
        }
        let hub = StreamHub(market: state, tradeInterval: configuration.streams.tradeInterval,
                            tickerInterval: configuration.streams.tickerInterval,
                            recentTradesLimit: configuration.streams.recentTrades)
        let router = Router()
        let streamChannels = OpenStreamChannels()
        let routes = Routes(state: state, configuration: configuration)
        router.get("/api/v3/trades") { request, _ in await routes.recentTrades(request, hub: hub) }
        router.get("/api/v3/coins/markets") { request, _ in await routes.coinGecko(request) }
        router.get("/v1/cryptocurrency/listings/latest") { request, _ in await routes.coinMarketCap(request) }
        router.get("/api/v3/ticker/24hr") { request, _ in await routes.binance(request) }
        router.get("/api/v3/klines") { request, _ in await routes.klines(request) }
        router.get("/products") { request, _ in await routes.coinbaseProducts(request) }
        router.get("/products/:id/trades") { request, context in
            await routes.coinbaseTrades(request, product: context.parameters.get("id") ?? "", hub: hub)
        }
        router.get("/products/:id/ticker") { request, context in
            await routes.coinbaseTicker(request, product: context.parameters.get("id") ?? "")
        }
        router.get("/0/public/Ticker") { request, _ in await routes.kraken(request) }
        router.get("/api/v3/coins/:id/market_chart/range") { request, context in
            await routes.marketChartRange(request, id: context.parameters.get("id") ?? "")
        }
        router.get("/_sim/stats") { _, _ in await routes.stats() }
        let (ports, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let wsConfiguration = WebSocketServerConfiguration(
            maxFrameSize: 8 << 20, autoPing: .enabled(timePeriod: configuration.streams.pingInterval))
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: wsConfiguration)) { request, channel, _ in
                if request.path == "/v2" {
                    let session = KrakenStreamSession(market: state, tickerInterval: configuration.streams.tickerInterval,
                                                      connectionID: hub.nextSessionID())
                    return .upgrade([:]) { inbound, outbound, _ in
                        let id = streamChannels.add(channel)
                        defer { streamChannels.remove(id) }
                        try await session.serve(inbound: inbound, outbound: outbound)
                    }
                }
                if request.path == "/ws-feed" {
                    let session = CoinbaseStreamSession(hub: hub, subscribeDeadline: .seconds(5))
                    return .upgrade([:]) { inbound, outbound, _ in
                        let id = streamChannels.add(channel)
                        defer { streamChannels.remove(id) }
                        try await session.serve(channel: channel, inbound: inbound, outbound: outbound)
                    }
                }
                guard let path = request.path, let streams = hub.streams(fromPath: path) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    let id = streamChannels.add(channel)
                    defer { streamChannels.remove(id) }
                    try await Self.serve(streams: streams, hub: hub, channel: channel, inbound: inbound, outbound: outbound)
                }
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { continuation.yield(port) }
            },
            logger: logger)
        // A group of one, so that `stop` can shut the server down gracefully: cancelling a
        // Hummingbird server instead logs errors for connections it was still serving.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task {
            do {
                try await group.run()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        var iterator = ports.makeAsyncIterator()
        do {
            guard let port = try await iterator.next() else {
                throw SimulatorError("server stopped before binding \(configuration.host):\(configuration.port)")
            }
            let tape = Task { await hub.run() }
            return MarketSimulator(port: port, host: configuration.host, state: state,
                                   universe: SimulatorUniverseAndStreams(universe: state.universe, hub: hub, tape: tape,
                                                                         streamChannels: streamChannels),
                                   server: server, group: group)
        } catch {
            server.cancel()
            throw error as? SimulatorError ?? SimulatorError("cannot bind \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// Stops the server gracefully (in-flight responses finish) and waits for it.
    public func stop() async {
        tape.cancel()
        await tape.value
        // A graceful shutdown waits for every connection to end, and a stream whose client
        // neither sends nor closes (a collector stopping at the same moment) held `up --demo`'s
        // exit for good: the simulator closes its stream connections itself.
        streamChannels.closeAll()
        await group.triggerGracefulShutdown()
        // A request still being answered keeps a graceful shutdown waiting (seen when `up --demo`
        // stopped in the middle of a Coinbase poll): wait a grace, then return regardless, so
        // the process that embeds the simulator can exit; its server task ends with the process.
        let (outcome, done) = AsyncStream<Bool>.makeStream()
        let server = self.server
        Task {
            await server.value
            done.yield(true)
        }
        Task {
            try? await Task.sleep(for: Self.shutdownGrace)
            done.yield(false)
        }
        for await finished in outcome {
            if !finished { server.cancel() }
            break
        }
    }

    /// How long `stop` waits for the server's connections to end.
    static let shutdownGrace: Duration = .seconds(3)

    /// One upgraded stream connection: frames from the hub out, the client's frames read (so
    /// pongs and close frames are processed) until either side ends.
    private static func serve(streams: [String], hub: StreamHub, channel: any Channel,
                              inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (id, frames) = hub.register(streams: streams)
        defer { hub.unregister(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound {}
            }
            group.addTask {
                for await frame in frames {
                    switch frame {
                    case .text(let text):
                        try await outbound.write(.text(text))
                    case .close:
                        try await outbound.close(.goingAway, reason: "simulated disconnect")
                        return
                    case .abort:
                        try await channel.close()
                        return
                    }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Injects a fault into the open stream connections.
    public func injectStreamFault(_ fault: StreamFault) {
        hub.inject(fault)
    }

    /// The ids of every trade printed on `pair`'s stream tape (sent or dropped by a fault).
    public func streamTradesPrinted(pair: String) -> [Int64] {
        hub.printedTrades(pair: pair)
    }

    /// Every trade sent on a stream connection so far: (connection, pair, trade id), in order.
    public func streamTradesSent() -> [(connection: Int, pair: String, tradeID: Int64)] {
        hub.sentTrades().map { ($0.connection, $0.pair, $0.tradeID) }
    }

    /// Stream connections open now, and accepted since start.
    public func streamConnections() -> (open: Int, opened: Int) {
        hub.connectionCounts()
    }

    /// Waits until the server stops (for the `simulate` command).
    public func wait() async {
        await server.value
    }

    /// Everything each provider's endpoint received so far.
    public func stats() async -> SimulatorStats {
        await state.snapshot()
    }

    /// Replaces the fault plan while running (tests switch faults on and off).
    public func setFaults(_ plan: FaultPlan) async {
        await state.setFaults(plan)
    }
}

/// The request handlers, one per simulated endpoint.
struct Routes: Sendable {
    let state: MarketState
    let configuration: SimulatorConfiguration
    /// Asset index by Binance pair and by CoinGecko id, for the history endpoints.
    let pairs: [String: Int]
    let coinIDs: [String: Int]
    /// Asset index by online Coinbase USD product ("BTC-USD").
    let coinbaseProducts: [String: Int]
    /// Every Kraken pair name a client may ask for: listed ones (and their altnames) and the others.
    let krakenNames: Set<String>

    init(state: MarketState, configuration: SimulatorConfiguration) {
        self.state = state
        self.configuration = configuration
        var pairs: [String: Int] = [:], coinIDs: [String: Int] = [:], products: [String: Int] = [:]
        var krakenNames = Set<String>()
        for (index, asset) in state.universe.assets.enumerated() {
            if let pair = asset.binancePair { pairs[pair] = index }
            if let product = asset.coinbaseProduct { products[product] = index }
            if let pair = asset.krakenPair { krakenNames.formUnion([pair, KrakenShape.altname(pair)]) }
            coinIDs[asset.id] = index
        }
        for pair in state.universe.otherKrakenPairs { krakenNames.formUnion([pair, KrakenShape.altname(pair)]) }
        self.pairs = pairs
        self.coinIDs = coinIDs
        self.coinbaseProducts = products
        self.krakenNames = krakenNames
    }

    /// `GET /api/v3/trades?symbol=S[&limit=N]`: the stream tape's latest trades, oldest first;
    /// an unknown symbol or a limit outside 1…1000 answers 400 in Binance's shape.
    func recentTrades(_ request: Request, hub: StreamHub) async -> Response {
        let query = request.uri.queryParameters
        let symbol = query["symbol"].map(String.init) ?? ""
        let limitText = query["limit"].map(String.init)
        let limit = limitText.flatMap { Int($0) } ?? 500
        let trades = hub.recentTrades(pair: symbol, limit: limit)
        let limitValid = (limitText == nil || Int(limitText!) != nil) && (1...BinanceStreamShape.recentTradesMaxLimit).contains(limit)
        return await respond(request, provider: "binance", weight: BinanceStreamShape.recentTradesWeight, rateLimitBody: BinanceShape.rateLimited,
                             retryAfterHeader: true, serverErrorBody: BinanceShape.serverError) { _ in
            Array(BinanceStreamShape.recentTrades(trades ?? []).utf8)
        } precheck: {
            if trades == nil { return (400, KlineShape.invalidSymbol) }
            if !limitValid { return (400, KlineShape.invalidLimit) }
            return nil
        }
    }

    /// `GET /products`: the whole listing, online USD products and out-of-scope ones.
    func coinbaseProducts(_ request: Request) async -> Response {
        let others = state.universe.otherCoinbaseProducts
        return await respond(request, provider: "coinbase", weight: 1, rateLimitBody: CoinbaseShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinbaseShape.serverError) { _ in
            Array(CoinbaseShape.products(await state.quotes(for: "coinbase"), others: others).utf8)
        }
    }

    /// `GET /products/{id}/ticker` of an online USD product; any other id answers 404 as Coinbase does.
    func coinbaseTicker(_ request: Request, product: String) async -> Response {
        let index = coinbaseProducts[product]
        let now = Int64(wallClockMillis())
        return await respond(request, provider: "coinbase", weight: 1, rateLimitBody: CoinbaseShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinbaseShape.serverError) { dropEvery in
            guard let index else { return [] }
            let quote = await state.quotes(for: "coinbase")[index]
            return Array(CoinbaseShape.ticker(quote, rank: index + 1, nowMillis: now, dropPrice: dropEvery != nil).utf8)
        } precheck: {
            index == nil ? (404, CoinbaseShape.notFound) : nil
        }
    }

    /// `GET /products/{id}/trades[?limit=N]`: the stream tape's latest matches of an online USD
    /// product, newest first; any other id answers 404 as Coinbase does.
    func coinbaseTrades(_ request: Request, product: String, hub: StreamHub) async -> Response {
        let limit = min(CoinbaseStreamShape.recentTradesMaxLimit,
                        max(1, request.uri.queryParameters["limit"].flatMap { Int($0) } ?? CoinbaseStreamShape.recentTradesMaxLimit))
        let trades = hub.coinbaseRecentTrades(product: product, limit: limit)
        return await respond(request, provider: "coinbase", weight: 1, rateLimitBody: CoinbaseShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinbaseShape.serverError) { _ in
            Array(CoinbaseStreamShape.recentTrades(trades ?? []).utf8)
        } precheck: {
            trades == nil ? (404, CoinbaseShape.notFound) : nil
        }
    }

    /// `GET /0/public/Ticker[?pair=A,B]`: every pair without `pair`; an unknown name is Kraken's
    /// `EQuery:Unknown asset pair` in the error array, with HTTP 200. Kraken reports its rate
    /// limit and outages the same way, inside a 200.
    func kraken(_ request: Request) async -> Response {
        let requested = request.uri.queryParameters["pair"].map {
            Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces).uppercased() })
        }
        let unknown = requested.map { !$0.isSubset(of: krakenNames) } ?? false
        let others = state.universe.otherKrakenPairs
        return await respond(request, provider: "kraken", weight: 1, rateLimitBody: KrakenShape.rateLimited, rateLimitStatus: 200,
                             retryAfterHeader: false, serverErrorBody: KrakenShape.serverError, serverErrorStatus: 200) { dropEvery in
            Array(KrakenShape.tickers(await state.quotes(for: "kraken"), otherPairs: others, pairs: requested, dropPriceEvery: dropEvery).utf8)
        } precheck: {
            unknown ? (200, KrakenShape.unknownPair) : nil
        }
    }

    func coinGecko(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let perPage = min(250, max(1, query["per_page"].flatMap { Int($0) } ?? 100))
        let page = max(1, query["page"].flatMap { Int($0) } ?? 1)
        let ids = query["ids"].map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        return await respond(request, provider: "coingecko", weight: 1, rateLimitBody: CoinGeckoShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinGeckoShape.serverError) { dropEvery in
            Array(CoinGeckoShape.markets(await state.quotes(for: "coingecko"), page: page, perPage: perPage, ids: ids, dropPriceEvery: dropEvery).utf8)
        }
    }

    func coinMarketCap(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let start = max(1, query["start"].flatMap { Int($0) } ?? 1)
        let limit = min(5000, max(1, query["limit"].flatMap { Int($0) } ?? 100))
        let now = Int64(wallClockMillis())
        let key = HTTPField.Name("X-CMC_PRO_API_KEY").flatMap { request.headers[$0] }
        return await respond(request, provider: "coinmarketcap", weight: 1,
                             rateLimitBody: CoinMarketCapShape.error(code: 1008, message: "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.", nowMillis: now),
                             retryAfterHeader: false,
                             serverErrorBody: CoinMarketCapShape.error(code: 500, message: "An internal server error occurred", nowMillis: now)) { dropEvery in
            Array(CoinMarketCapShape.listings(await state.quotes(for: "coinmarketcap"), start: start, limit: limit, nowMillis: now, dropPriceEvery: dropEvery).utf8)
        } precheck: {
            guard let key, !key.isEmpty else {
                return (401, CoinMarketCapShape.error(code: 1002, message: "API key missing.", nowMillis: now))
            }
            if let expected = configuration.coinMarketCapKey, key != expected {
                return (401, CoinMarketCapShape.error(code: 1001, message: "This API Key is invalid.", nowMillis: now))
            }
            return nil
        }
    }

    func binance(_ request: Request) async -> Response {
        let now = Int64(wallClockMillis())
        let others = state.universe.otherBinancePairs
        return await respond(request, provider: "binance", weight: BinanceShape.allTickersWeight, rateLimitBody: BinanceShape.rateLimited,
                             retryAfterHeader: true, serverErrorBody: BinanceShape.serverError) { dropEvery in
            Array(BinanceShape.tickers(await state.quotes(for: "binance"), otherPairs: others, nowMillis: now, dropPriceEvery: dropEvery).utf8)
        }
    }

    /// `GET /api/v3/klines`: validation answers 400 in Binance's shape before any weight is
    /// counted past the request's own; klines are those with open time in [startTime, endTime]
    /// and not after now (the current, unclosed one included, as on the real API).
    func klines(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let now = Int64(wallClockMillis())
        func integer(_ name: Substring) -> Int64?? {
            guard let text = query[name] else { return .some(nil) }
            guard let value = Int64(String(text)), value >= 0 else { return nil }
            return .some(value)
        }
        var problem: String?
        let symbol = query["symbol"].map(String.init) ?? ""
        let index = pairs[symbol]
        let width = query["interval"].flatMap { KlineShape.widths[String($0)] }
        let limitText = query["limit"].map(String.init)
        let limit = limitText.flatMap { Int($0) } ?? KlineShape.defaultLimit
        let start = integer("startTime"), end = integer("endTime")
        if index == nil {
            problem = KlineShape.invalidSymbol
        } else if width == nil {
            problem = KlineShape.invalidInterval
        } else if limitText.map({ Int($0) == nil }) ?? false || limit < 1 || limit > KlineShape.maxLimit {
            problem = KlineShape.invalidLimit
        } else if start == nil {
            problem = KlineShape.badParameter("startTime")
        } else if end == nil {
            problem = KlineShape.badParameter("endTime")
        }
        let invalid = problem
        let history = state.history
        return await respond(request, provider: "binance", weight: KlineShape.weight, rateLimitBody: BinanceShape.rateLimited,
                             retryAfterHeader: true, serverErrorBody: BinanceShape.serverError) { shortEvery in
            guard let index, let width, let start, let end else { return [] }
            let widthMillis = width * 60_000
            let lastOpen = PriceHistory.floorDiv(min(end ?? now, now), widthMillis) * widthMillis
            let firstOpen: Int64
            if let start {
                firstOpen = PriceHistory.floorDiv(start + widthMillis - 1, widthMillis) * widthMillis
            } else {
                firstOpen = lastOpen - Int64(limit - 1) * widthMillis
            }
            guard firstOpen <= lastOpen else { return Array("[]".utf8) }
            let bars = history.bars(asset: index, widthMinutes: width, openMinutes: (firstOpen / 60_000)...(lastOpen / 60_000),
                                    limit: limit, nowMillis: now)
            return KlineShape.body(bars, widthMillis: widthMillis, shortEvery: shortEvery)
        } precheck: {
            invalid.map { (400, $0) }
        }
    }

    /// `GET /api/v3/coins/{id}/market_chart/range?vs_currency=usd&from=S&to=S` (Unix seconds).
    func marketChartRange(_ request: Request, id: String) async -> Response {
        let query = request.uri.queryParameters
        let now = Int64(wallClockMillis())
        let from = query["from"].flatMap { Double(String($0)) }
        let to = query["to"].flatMap { Double(String($0)) }
        let index = coinIDs[id]
        let hasCurrency = query["vs_currency"] != nil
        let maxDays = configuration.history.coinGeckoMaxDays
        let history = state.history
        return await respond(request, provider: "coingecko", weight: 1, rateLimitBody: CoinGeckoShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinGeckoShape.serverError) { _ in
            guard let index, let from, let to else { return [] }
            return Array(MarketChartShape.body(history: history, asset: index, fromMillis: Int64(from * 1000),
                                               toMillis: Int64(to * 1000), nowMillis: now).utf8)
        } precheck: {
            if !hasCurrency { return (400, MarketChartShape.missingParameter("vs_currency")) }
            guard let from, from.isFinite else { return (400, MarketChartShape.missingParameter("from")) }
            guard let to, to.isFinite else { return (400, MarketChartShape.missingParameter("to")) }
            guard index != nil else { return (404, MarketChartShape.notFound) }
            if Int64(from * 1000) < now - Int64(maxDays) * 86_400_000 { return (401, MarketChartShape.beyondAllowedRange(days: maxDays)) }
            return nil
        }
    }

    func stats() async -> Response {
        let snapshot = await state.snapshot()
        var providers: [(String, String)] = []
        for (name, entry) in snapshot.providers.sorted(by: { $0.key < $1.key }) {
            let statuses = entry.statuses.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
            var members: [(String, String)] = [
                ("requests", String(entry.requests)),
                ("statuses", JSONText.object(statuses)),
                ("max_weight_in_window", String(entry.maxWeightInWindow)),
            ]
            if let limit = entry.limit {
                members.append(("limit", JSONText.object([("capacity", String(limit.capacity)),
                                                          ("window_seconds", JSONText.number(limit.windowSeconds))])))
            }
            providers.append((name, JSONText.object(members)))
        }
        return Self.json(200, JSONText.object([("providers", JSONText.object(providers))]))
    }

    /// Admission (rate limit, faults), then the normal body. `precheck` may answer first
    /// (CMC's key check) with a status and body.
    private func respond(
        _ request: Request, provider: String, weight: Int, rateLimitBody: String, rateLimitStatus: Int = 429, retryAfterHeader: Bool,
        serverErrorBody: String, serverErrorStatus: Int = 503,
        render: @Sendable (Int?) async -> [UInt8],
        precheck: @Sendable () -> (Int, String)? = { nil }
    ) async -> Response {
        let admission = await state.admit(provider: provider, weight: weight)
        var extra: [(String, String)] = []
        let used: Int
        switch admission {
        case .serve(let w), .rateLimited(_, let w), .fault(_, let w), .banned(_, let w): used = w
        }
        if provider == "binance" { extra.append(("X-MBX-USED-WEIGHT-1M", String(used))) }
        let response: (Int, [UInt8])
        if let early = precheck() {
            response = (early.0, Array(early.1.utf8))
        } else {
            switch admission {
            case .rateLimited(let wait, _):
                if retryAfterHeader { extra.append(("Retry-After", String(wait))) }
                response = (rateLimitStatus, Array(rateLimitBody.utf8))
            case .banned(let wait, _):
                extra.append(("Retry-After", String(wait)))
                response = (418, Array(BinanceShape.banned.utf8))
            case .serve:
                response = (200, await state.served(provider, request.uri.description, await render(nil)))
            case .fault(let kind, _):
                switch kind {
                case .tooManyRequests:
                    if provider == "binance" || provider == "coinmarketcap" {
                        extra.append(("Retry-After", String(configuration.retryAfterSeconds)))
                    }
                    response = (rateLimitStatus, Array(rateLimitBody.utf8))
                case .serverError:
                    response = (serverErrorStatus, Array(serverErrorBody.utf8))
                case .slow:
                    try? await Task.sleep(for: .milliseconds(Int64(configuration.slowDelaySeconds * 1000)))
                    response = (200, await state.served(provider, request.uri.description, await render(nil)))
                case .stale:
                    let key = request.uri.description
                    if let last = await state.lastServed(key) {
                        response = (200, last)
                    } else {
                        response = (200, await state.served(provider, key, await render(nil)))
                    }
                case .malformed:
                    response = (200, Array(#"{"data": [ {"id": 1, "name": "Bit"#.utf8))
                case .truncated:
                    let body = await render(nil)
                    response = (200, Array(body.prefix(body.count / 2)))
                case .missingFields:
                    response = (200, await render(4))
                case .banned:
                    extra.append(("Retry-After", "120"))
                    response = (418, Array(BinanceShape.banned.utf8))
                case .unavailable:
                    response = (451, Array(BinanceShape.unavailable.utf8))
                }
            }
        }
        await state.recordStatus(provider: provider, status: response.0)
        var result = Self.json(response.0, response.1)
        for (name, value) in extra {
            if let field = HTTPField.Name(name) { result.headers[field] = value }
        }
        return result
    }

    static func json(_ status: Int, _ body: String) -> Response {
        json(status, Array(body.utf8))
    }

    static func json(_ status: Int, _ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

import Foundation

/// What `start` builds besides the server: the universe and the stream tape.
private struct SimulatorUniverseAndStreams: Sendable {
    var universe: SimulatedUniverse
    var hub: StreamHub
    var tape: Task<Void, Never>
    var streamChannels: OpenStreamChannels
}
