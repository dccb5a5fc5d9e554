import Alerts
import CryptoVizCore
import Logging
import Prometheus
@testable import Server

/// A real `CryptoVizServer` on an ephemeral loopback port, over an `InMemoryMarketData`.
final class RunningServer: Sendable {
    let port: Int
    let data: InMemoryMarketData
    let server: CryptoVizServer
    private let task: Task<Void, any Error>

    private init(port: Int, data: InMemoryMarketData, server: CryptoVizServer, task: Task<Void, any Error>) {
        self.port = port
        self.data = data
        self.server = server
        self.task = task
    }

    static func start(
        configuration: ServerConfiguration = ServerConfiguration(port: 0),
        data: InMemoryMarketData = InMemoryMarketData(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        alerts: AlertMonitor? = nil
    ) async throws -> RunningServer {
        var logger = Logger(label: "cryptoviz.server.test")
        logger.logLevel = .warning
        let server = try CryptoVizServer(configuration: configuration, data: data, registry: registry, alerts: alerts, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { continuation.yield($0) }
        }
        for await port in ports {
            return RunningServer(port: port, data: data, server: server, task: task)
        }
        _ = try await task.value
        throw TestClientError("server stopped before listening")
    }

    /// Ends live feeds (so SSE responses finish) and stops the server.
    func stop() async {
        data.closeLiveFeed()
        task.cancel()
        _ = await task.result
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await HTTPTestClient.get(port: port, path, headers: headers)
    }

    func post(_ path: String, json: String? = nil, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await HTTPTestClient.post(port: port, path, json: json, headers: headers)
    }
}

/// Ticks with simple known prices, for tests that check arithmetic.
enum SampleTicks {
    static func tick(_ source: ProviderID, _ asset: AssetID, price: Double, at ms: Int64, volume: Double? = nil) -> Tick {
        Tick(
            source: source, asset: asset, symbol: asset.rawValue.prefix(3).uppercased(), price: price,
            volume24h: volume, change1h: 1, change24h: -2, change7d: 3,
            sourceTimeMillis: ms, collectedTimeMillis: ms + 150)
    }
}

extension RunningServer {
    func send(_ method: String, _ path: String) async throws -> HTTPTestResponse {
        try await HTTPTestClient.send(port: port, method, path)
    }
}
