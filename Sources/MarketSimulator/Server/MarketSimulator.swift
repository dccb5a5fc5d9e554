import CryptoVizCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A loopback HTTP server speaking CoinGecko, CoinMarketCap and Binance in their real response
/// shapes, over a simulated market, with the providers' rate limits and injectable faults.
///
/// Start it in-process with `start(configuration:logger:)` (tests, `cryptoviz up --demo`) and
/// point the collectors at `endpoints`; `stats()` or `GET /_sim/stats` report every request
/// each provider received, so tests can prove the collectors stayed inside the limits.
public final class MarketSimulator: Sendable {
    /// Base URLs of the three simulated APIs, in the form the collectors' settings expect.
    public struct Endpoints: Sendable, Hashable {
        /// Includes `/api/v3`, like `https://api.coingecko.com/api/v3`.
        public var coinGecko: String
        public var coinMarketCap: String
        public var binance: String
        /// `GET` for request statistics as JSON.
        public var stats: String
    }

    public let port: Int
    public let endpoints: Endpoints
    /// The generated assets, for tests that need the ground truth of identities.
    public let universe: SimulatedUniverse
    private let state: MarketState
    private let server: Task<Void, Never>
    private let group: ServiceGroup

    private init(port: Int, host: String, state: MarketState, universe: SimulatedUniverse, server: Task<Void, Never>, group: ServiceGroup) {
        self.port = port
        let base = "http://\(host):\(port)"
        endpoints = Endpoints(coinGecko: "\(base)/api/v3", coinMarketCap: base, binance: base, stats: "\(base)/_sim/stats")
        self.state = state
        self.universe = universe
        self.server = server
        self.group = group
    }

    /// Binds the server (port 0 → an ephemeral port) and returns once it accepts connections.
    public static func start(configuration: SimulatorConfiguration, logger: Logger = Logger(label: "cryptoviz.simulator")) async throws -> MarketSimulator {
        let state = MarketState(configuration: configuration)
        let router = Router()
        let routes = Routes(state: state, configuration: configuration)
        router.get("/api/v3/coins/markets") { request, _ in await routes.coinGecko(request) }
        router.get("/v1/cryptocurrency/listings/latest") { request, _ in await routes.coinMarketCap(request) }
        router.get("/api/v3/ticker/24hr") { request, _ in await routes.binance(request) }
        router.get("/_sim/stats") { _, _ in await routes.stats() }
        let (ports, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let app = Application(
            router: router,
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
            return MarketSimulator(port: port, host: configuration.host, state: state,
                                   universe: state.universe, server: server, group: group)
        } catch {
            server.cancel()
            throw error as? SimulatorError ?? SimulatorError("cannot bind \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// Stops the server gracefully (in-flight responses finish) and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await server.value
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

    func coinGecko(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let perPage = min(250, max(1, query["per_page"].flatMap { Int($0) } ?? 100))
        let page = max(1, query["page"].flatMap { Int($0) } ?? 1)
        let ids = query["ids"].map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        return await respond(provider: "coingecko", weight: 1, rateLimitBody: CoinGeckoShape.rateLimited,
                             retryAfterHeader: false, serverErrorBody: CoinGeckoShape.serverError) { dropEvery in
            CoinGeckoShape.markets(await state.quotes(), page: page, perPage: perPage, ids: ids, dropPriceEvery: dropEvery)
        }
    }

    func coinMarketCap(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let start = max(1, query["start"].flatMap { Int($0) } ?? 1)
        let limit = min(5000, max(1, query["limit"].flatMap { Int($0) } ?? 100))
        let now = Int64(wallClockMillis())
        let key = HTTPField.Name("X-CMC_PRO_API_KEY").flatMap { request.headers[$0] }
        return await respond(provider: "coinmarketcap", weight: 1,
                             rateLimitBody: CoinMarketCapShape.error(code: 1008, message: "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.", nowMillis: now),
                             retryAfterHeader: false,
                             serverErrorBody: CoinMarketCapShape.error(code: 500, message: "An internal server error occurred", nowMillis: now)) { dropEvery in
            CoinMarketCapShape.listings(await state.quotes(), start: start, limit: limit, nowMillis: now, dropPriceEvery: dropEvery)
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
        return await respond(provider: "binance", weight: BinanceShape.allTickersWeight, rateLimitBody: BinanceShape.rateLimited,
                             retryAfterHeader: true, serverErrorBody: BinanceShape.serverError) { dropEvery in
            BinanceShape.tickers(await state.quotes(), otherPairs: others, nowMillis: now, dropPriceEvery: dropEvery)
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
        provider: String, weight: Int, rateLimitBody: String, retryAfterHeader: Bool, serverErrorBody: String,
        render: @Sendable (Int?) async -> String,
        precheck: @Sendable () -> (Int, String)? = { nil }
    ) async -> Response {
        let admission = await state.admit(provider: provider, weight: weight)
        var extra: [(String, String)] = []
        let used: Int
        switch admission {
        case .serve(let w), .rateLimited(_, let w), .fault(_, let w): used = w
        }
        if provider == "binance" { extra.append(("X-MBX-USED-WEIGHT-1M", String(used))) }
        let response: (Int, String)
        if let early = precheck() {
            response = early
        } else {
            switch admission {
            case .rateLimited(let wait, _):
                if retryAfterHeader { extra.append(("Retry-After", String(wait))) }
                response = (429, rateLimitBody)
            case .serve:
                response = (200, await render(nil))
            case .fault(let kind, _):
                switch kind {
                case .tooManyRequests:
                    if provider != "coingecko" { extra.append(("Retry-After", String(configuration.retryAfterSeconds))) }
                    response = (429, rateLimitBody)
                case .serverError:
                    response = (503, serverErrorBody)
                case .slow:
                    try? await Task.sleep(for: .milliseconds(Int64(configuration.slowDelaySeconds * 1000)))
                    response = (200, await render(nil))
                case .malformed:
                    response = (200, #"{"data": [ {"id": 1, "name": "Bit"#)
                case .truncated:
                    let body = await render(nil)
                    response = (200, String(body.prefix(body.count / 2)))
                case .missingFields:
                    response = (200, await render(4))
                case .banned:
                    extra.append(("Retry-After", "120"))
                    response = (418, BinanceShape.banned)
                case .unavailable:
                    response = (451, BinanceShape.unavailable)
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
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

import Foundation
