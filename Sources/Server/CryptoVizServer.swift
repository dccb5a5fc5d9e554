import Alerts
import CryptoVizCore
import Hummingbird
import Logging
import Prometheus

/// The CryptoViz HTTP server: REST API v1, live SSE feed, OpenAPI document, Prometheus
/// metrics and the dashboard, over any `MarketDataSource`.
///
/// Metrics bootstrap belongs to the caller: pass the `PrometheusCollectorRegistry` that backs
/// its `MetricsSystem`, and `/metrics` renders it. Request metrics come from Hummingbird's
/// `MetricsMiddleware` through that global system.
public struct CryptoVizServer: Sendable {
    public let configuration: ServerConfiguration
    public let data: any MarketDataSource
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger
    public let timings: QueryTimings
    /// The alerts of this process (rules API, `/api/v1/alerts`, `event: alert` on the live
    /// feed); nil leaves alerts off (their routes answer 404).
    public let alerts: AlertMonitor?
    let assets: StaticAssets

    /// - Throws: when the bundled dashboard assets cannot be read.
    public init(
        configuration: ServerConfiguration, data: any MarketDataSource,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        alerts: AlertMonitor? = nil,
        logger: Logger = Logger(label: "cryptoviz.server")
    ) throws {
        self.alerts = alerts
        self.configuration = configuration
        self.data = data
        self.registry = registry
        self.logger = logger
        self.timings = QueryTimings()
        self.assets = try StaticAssets.load()
    }

    /// The router with every route, and the list of API routes (method, OpenAPI path).
    public func makeRouter() -> (router: Router<BasicRequestContext>, apiRoutes: [(method: String, path: String)]) {
        let router = Router(context: BasicRequestContext.self)
        let index = RouteIndex()
        router.add(middleware: APIErrorMiddleware(routes: index))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: CrossSiteGuard(configuration: configuration, routes: index))
        let routes = APIRoutes(data: data, configuration: configuration, registry: registry, timings: timings, now: currentUnixMillis, alerts: alerts)
            .register(on: router)
        for route in routes { index.add(method: route.method.rawValue, path: route.path) }
        for asset in assets.assets {
            router.get(RouterPath(asset.path)) { _, _ in StaticAssets.response(asset) }
            index.add(method: "GET", path: asset.path)
        }
        if let page = assets.asset(at: "/index.html") {
            router.get("/") { _, _ in StaticAssets.response(page) }
            index.add(method: "GET", path: "/")
        }
        return (router, routes.map { ($0.method.rawValue, $0.path) })
    }

    /// The Hummingbird application, a `Service` the caller can run in its own `ServiceGroup`.
    ///
    /// `onRunning` receives the bound port (useful with port 0).
    public func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let port = configuration.port
        return Application(
            router: makeRouter().router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cryptoviz"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Serves until the task is cancelled.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onRunning: onRunning).run()
    }
}
