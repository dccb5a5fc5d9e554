import Alerts
import CryptoVizCore
import Foundation
import Hummingbird
import Lakehouse
import Prometheus

/// The REST API v1, `/healthz`, `/metrics` and the live feed, registered on a router.
///
/// Every route registered here is listed in `registered` so tests can check that the
/// OpenAPI document describes exactly these routes.
struct APIRoutes: Sendable {
    let data: any MarketDataSource
    let configuration: ServerConfiguration
    let registry: PrometheusCollectorRegistry
    let timings: QueryTimings
    let now: @Sendable () -> Int64
    /// The serving process's alerts; nil answers the alert routes with 404.
    var alerts: AlertMonitor? = nil

    /// Largest JSON body accepted by POST endpoints.
    static let maxBodyBytes = 64 * 1024

    /// (method, OpenAPI-style path) of every route, in registration order.
    typealias Route = (method: HTTPRequest.Method, path: String)

    func register(on router: Router<BasicRequestContext>) -> [Route] {
        var routes: [Route] = []
        func add(
            _ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
        ) {
            router.on(RouterPath(path), method: method, use: handler)
            routes.append((method, path))
        }
        let auth = BearerAuthorization(configuration: configuration)

        add(.get, "/healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        add(.get, "/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        add(.get, "/api/v1/status") { _, _ in
            // A lake served without a bus gets nothing new: its newest tick says nothing about staleness.
            let newest = configuration.mode == .history ? nil
                : try await data.latestTicks(assets: nil, sources: nil).map(\.sourceTimeMillis).max()
            return try JSONResponse.make(StatusResponse(mode: configuration.mode.rawValue, serverTimeMs: now(), newestTickMs: newest))
        }
        add(.get, "/api/v1/assets") { _, _ in
            let assets = try await timings.measure("assets") { try await data.assets() }
            return try JSONResponse.make(AssetsResponse(assets: assets))
        }
        add(.get, "/api/v1/sources") { _, _ in
            let sources = try await timings.measure("sources") { try await data.sources() }
            return try JSONResponse.make(SourcesResponse(sources: sources))
        }
        add(.get, "/api/v1/quotes/latest") { request, _ in
            let query = request.uri.queryParameters
            let assets = try APIValidation.list(query, "assets").map { Set($0.map { AssetID($0) }) }
            let sources = try APIValidation.list(query, "sources").map { Set($0.map { ProviderID($0) }) }
            let latest = try await timings.measure("latest") { try await data.latestTicks(assets: assets, sources: sources) }
            return try JSONResponse.make(QuotesResponse(quotes: MarketConsensus.quotes(from: latest)))
        }
        add(.get, "/api/v1/markets/sparklines") { request, _ in
            let query = request.uri.queryParameters
            guard let assets = try APIValidation.list(query, "assets") else {
                throw APIError.invalid("assets", "is required: a comma-separated list of asset ids")
            }
            let days = try APIValidation.integer(query, "days", in: 1...30, default: 7)!
            let grid = Sparklines(days: Int(days), now: now())
            let lines = try await timings.measure("sparklines") { try await grid.lines(assets.sorted().map { AssetID($0) }, data: data) }
            return try JSONResponse.make(SparklinesResponse(fromMs: grid.from, stepMs: grid.step, sparklines: lines))
        }
        add(.get, "/api/v1/assets/{asset}/ticks") { request, context in
            let asset = try assetParameter(context)
            let query = request.uri.queryParameters
            let sources = try APIValidation.list(query, "sources").map { Set($0.map { ProviderID($0) }) }
            let window = try APIValidation.range(query, defaultSpan: 3_600_000, now: now())
            let limit = try APIValidation.integer(query, "limit", in: 1...Int64(APIValidation.maxTickLimit), default: 1000)!
            var cursor: TickCursor?
            if let raw = query.get("cursor") {
                guard let parsed = TickCursor(token: raw) else {
                    throw APIError.invalid("cursor", "is not a cursor returned by this endpoint")
                }
                cursor = parsed
            }
            let version = try APIValidation.integer(query, "version", in: 0...Int64.max, default: nil)
            let tickQuery = TickQuery(
                asset: asset, sources: sources, fromMillis: window.from, toMillis: window.to, limit: Int(limit),
                after: cursor, asOfVersion: version)
            try await requireKnown(asset)
            let page = try await timings.measure("ticks") { try await data.ticks(tickQuery) }
            return try JSONResponse.make(page)
        }
        add(.get, "/api/v1/assets/{asset}/candles") { request, context in
            let asset = try assetParameter(context)
            let query = request.uri.queryParameters
            let sources = try APIValidation.list(query, "sources").map { Set($0.map { ProviderID($0) }) }
            let rawInterval = query.get("interval") ?? "1m"
            guard let interval = CandleInterval(rawValue: rawInterval) else {
                throw APIError.invalid("interval", "must be one of 1m, 5m, 1h, 1d")
            }
            let window = try APIValidation.range(query, defaultSpan: interval.millis * 500, now: now())
            let version = try APIValidation.integer(query, "version", in: 0...Int64.max, default: nil)
            let candleQuery = CandleQuery(
                asset: asset, sources: sources, interval: interval, fromMillis: window.from, toMillis: window.to,
                asOfVersion: version)
            try await requireKnown(asset)
            let candles = try await timings.measure("candles") { try await data.candles(candleQuery) }
            return try JSONResponse.make(CandlesResponse(asset: asset, interval: interval, candles: candles))
        }
        add(.get, "/api/v1/assets/{asset}/indicators") { request, context in
            let asset = try assetParameter(context)
            let query = request.uri.queryParameters
            let sources = try APIValidation.list(query, "sources").map { Set($0.map { ProviderID($0) }) }
            guard let interval = CandleInterval(rawValue: query.get("interval") ?? "1h") else {
                throw APIError.invalid("interval", "must be one of 1m, 5m, 1h, 1d")
            }
            var indicators = Indicator.defaults
            // In the order asked (not `APIValidation.list`: a set, of plain names).
            if let raw = query.get("indicators"), !raw.isEmpty {
                let names = raw.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
                guard names.count <= 16 else { throw APIError.invalid("indicators", "at most 16 at once") }
                indicators = []
                for name in names {
                    do throws(IndicatorError) {
                        indicators.append(try Indicator(parsing: name))
                    } catch {
                        throw APIError.invalid("indicators", error.description)
                    }
                }
            }
            let window = try APIValidation.range(query, defaultSpan: interval.millis * 500, now: now())
            // Warm-up candles before the range, so the first values shown are already defined.
            let warmUp = Int64(indicators.map(\.lookback).max() ?? 0) * interval.millis
            let candleQuery = CandleQuery(asset: asset, sources: sources, interval: interval,
                                          fromMillis: max(window.from &- warmUp, 0), toMillis: window.to, asOfVersion: nil)
            try await requireKnown(asset)
            let candles = try await timings.measure("indicators") { try await data.candles(candleQuery) }
            let first = candles.firstIndex { $0.startMs >= window.from } ?? candles.count
            return try JSONResponse.make(IndicatorsResponse(
                asset: asset, interval: interval.rawValue, startMs: candles[first...].map(\.startMs),
                close: candles[first...].map(\.close),
                indicators: IndicatorSeries.compute(indicators, candles: candles, firstShown: first, interval: interval)))
        }
        add(.get, "/api/v1/assets/{asset}/spread/history") { request, context in
            let asset = try assetParameter(context)
            let query = request.uri.queryParameters
            let rawInterval = query.get("interval") ?? "1m"
            guard let interval = CandleInterval(rawValue: rawInterval) else {
                throw APIError.invalid("interval", "must be one of 1m, 5m, 1h, 1d")
            }
            let window = try APIValidation.range(query, defaultSpan: interval.millis * 500, now: now())
            try await requireKnown(asset)
            var sources = try APIValidation.list(query, "sources").map { $0.sorted().map { ProviderID($0) } } ?? []
            if sources.isEmpty { sources = try await data.assets().first { $0.asset == asset }?.sources ?? [] }
            let candleQuery = CandleQuery(asset: asset, interval: interval, fromMillis: window.from, toMillis: window.to)
            let points = try await timings.measure("spread history") {
                try await SpreadHistory.points(asset: asset, sources: sources, query: candleQuery, data: data)
            }
            return try JSONResponse.make(SpreadHistoryResponse(asset: asset.rawValue, interval: interval.rawValue, points: points))
        }
        add(.get, "/api/v1/assets/{asset}/spread") { request, context in
            let asset = try assetParameter(context)
            let sources = try APIValidation.list(request.uri.queryParameters, "sources").map { Set($0.map { ProviderID($0) }) }
            let latest = try await timings.measure("latest") { try await data.latestTicks(assets: [asset], sources: sources) }
            guard let spread = MarketConsensus.spread(asset: asset, latest: latest) else {
                throw APIError(.notFound, "no quotes for asset '\(asset.rawValue)'", parameter: "asset")
            }
            return try JSONResponse.make(spread)
        }
        add(.get, "/api/v1/stats/pipeline") { _, _ in
            let stats = try await timings.measure("pipeline_stats") { try await data.pipelineStats() }
            return try JSONResponse.make(PipelineStatsResponse(pipeline: stats, queries: timings.snapshot()))
        }
        add(.get, "/api/v1/lake") { _, _ in
            let info = try await timings.measure("lake_info") { try await data.lakeInfo() }
            return try JSONResponse.make(info)
        }
        add(.get, "/api/v1/lake/versions") { _, _ in
            let versions = try await timings.measure("lake_versions") { try await data.lakeVersions() }
            return try JSONResponse.make(VersionsResponse(versions: versions))
        }
        add(.post, "/api/v1/lake/compact") { request, _ in
            try auth.authorize(request)
            _ = try await JSONBody.read(request, maxBytes: Self.maxBodyBytes)
            let result = try await timings.measure("compact") { try await data.compact() }
            return try JSONResponse.make(result)
        }
        add(.post, "/api/v1/lake/vacuum") { request, _ in
            try auth.authorize(request)
            let body = try await JSONBody.read(request, maxBytes: Self.maxBodyBytes)
            let dryRun = try body.bool("dry_run", default: true)
            let result = try await timings.measure("vacuum") { try await data.vacuum(dryRun: dryRun) }
            return try JSONResponse.make(result)
        }
        add(.post, "/api/v1/lake/retention") { request, _ in
            try auth.authorize(request)
            let body = try await JSONBody.read(request, maxBytes: Self.maxBodyBytes)
            let days = try body.integer("days", in: 1...36_500)
            let result = try await timings.measure("retention") { try await data.applyRetention(days: days) }
            return try JSONResponse.make(result)
        }
        add(.post, "/api/v1/sql") { request, _ in
            try auth.authorize(request)
            let body = try await JSONBody.read(request, maxBytes: Self.maxBodyBytes)
            let sql = try body.string("sql")
            let limit = try body.integer("limit", in: 1...configuration.sqlRowLimit, default: min(1000, configuration.sqlRowLimit))
            let statement: String
            do {
                statement = try SQLGuard.check(sql, maxLength: configuration.maxSQLLength)
            } catch let rejection as SQLGuard.Rejection {
                throw APIError(.sqlRejected, rejection.message, parameter: "sql")
            }
            let result = try await timings.measure("sql") { try await data.executeSQL(statement, rowLimit: limit) }
            return try JSONResponse.make(result)
        }
        add(.get, "/api/v1/live") { request, _ in
            let query = request.uri.queryParameters
            let assets = try APIValidation.list(query, "assets").map { Set($0.map { AssetID($0) }) }
            let sources = try APIValidation.list(query, "sources").map { Set($0.map { ProviderID($0) }) }
            let stream = LiveEventStream(assets: assets, sources: sources, heartbeat: configuration.heartbeatInterval)
            return stream.response(feed: data.liveTicks(), alerts: alerts?.subscribe())
        }
        AlertRoutes(alerts: alerts, data: data, auth: auth, maxBodyBytes: Self.maxBodyBytes).register(add)
        return routes
    }

    private func assetParameter(_ context: BasicRequestContext) throws -> AssetID {
        guard let raw = context.parameters.get("asset") else { throw APIError(.missingParameter, "missing asset", parameter: "asset") }
        return AssetID(try APIValidation.identifier(raw, parameter: "asset"))
    }

    /// 404 for assets the pipeline has never seen, so typos do not look like empty history.
    private func requireKnown(_ asset: AssetID) async throws {
        guard try await data.isKnown(asset) else {
            throw APIError(.notFound, "unknown asset '\(asset.rawValue)'", parameter: "asset")
        }
    }
}

/// `GET /api/v1/status`: what the data is (demo, live or history) and the server's clock.
struct StatusResponse: Encodable {
    var mode: String
    var serverTimeMs: Int64
    /// The source time of the newest tick (nil in `history` mode or before the first tick).
    var newestTickMs: Int64?

    enum CodingKeys: String, CodingKey { case mode, serverTimeMs, newestTickMs }

    /// `newest_tick_ms` is written as null, not left out, so clients see the field.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(serverTimeMs, forKey: .serverTimeMs)
        try c.encode(newestTickMs, forKey: .newestTickMs)
    }
}
struct AssetsResponse: Encodable { var assets: [AssetDTO] }
struct SourcesResponse: Encodable { var sources: [SourceDTO] }
struct QuotesResponse: ExplicitJSONKeys { var quotes: [QuoteDTO] }
struct VersionsResponse: Encodable { var versions: [LakeVersionDTO] }
struct CandlesResponse: ExplicitJSONKeys {
    var asset: AssetID
    var interval: CandleInterval
    var candles: [CandleDTO]

    enum CodingKeys: String, CodingKey { case asset, interval, candles }

    /// `interval` is written as its API name ("1m", "5m", "1h", "1d"); the Lakehouse type is
    /// deliberately not `Codable`, so the wire form is fixed here.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asset, forKey: .asset)
        try c.encode(interval.rawValue, forKey: .interval)
        try c.encode(candles, forKey: .candles)
    }
}
/// `GET /api/v1/stats/pipeline`: the source's pipeline stats plus the Server's query timings.
struct PipelineStatsResponse: Encodable {
    var pipeline: PipelineStatsDTO
    var queries: [QueryTimingDTO]
}
