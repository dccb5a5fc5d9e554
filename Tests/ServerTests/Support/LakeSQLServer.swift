import Alerts
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline
import TestSupport
@testable import Server

/// A real `CryptoVizServer` over a real Delta lake on disk, with SQL run by the real DuckDB
/// CLI (`CRYPTOVIZ_DUCKDB`), laid out as `cryptoviz up` lays out its data folder:
/// `<data>/lake` for the lake (its tick table in `ticks/`), `<data>/tmp/sql` for the SQL
/// engine's scratch.
final class LakeSQLServer: Sendable {
    let data: URL
    let lake: URL
    let table: TickTable
    let port: Int
    private let task: Task<Void, any Error>

    var scratch: URL { data.appendingPathComponent("tmp/sql") }

    private init(data: URL, lake: URL, table: TickTable, port: Int, task: Task<Void, any Error>) {
        self.data = data
        self.lake = lake
        self.table = table
        self.port = port
        self.task = task
    }

    /// An engine on the test's DuckDB with the given scratch folder; tests adjust its limits.
    static func engine(data: URL, timeout: Duration = .seconds(20), maxRunning: Int = 2, maxWaiting: Int = 2) throws -> DuckDBEngine {
        DuckDBEngine(executable: try TestEnvironment.duckdb(), scratchDirectory: data.appendingPathComponent("tmp/sql").path,
                     timeout: timeout, maxRunning: maxRunning, maxWaiting: maxWaiting)
    }

    /// Starts over a lake holding `ticks` (one append), or over `prepare`'s table when given.
    static func start(
        ticks: [Tick] = SQLSampleLake.ticks(), engine configure: (inout DuckDBEngine) -> Void = { _ in },
        timeout: Duration = .seconds(20), maxRunning: Int = 2, maxWaiting: Int = 2,
        prepare: ((TickTable, URL) async throws -> Void)? = nil,
        alerts: AlertMonitor? = nil
    ) async throws -> LakeSQLServer {
        let data = try TestEnvironment.temporaryDirectory("sql-security")
        let lake = data.appendingPathComponent("lake")
        try FileManager.default.createDirectory(at: lake, withIntermediateDirectories: true)
        let logger = Logger(label: "cryptoviz.test.sql")
        let store = try LocalFileStore(root: lake.path)
        let table = try await Lake.open(store: store, logger: logger).ticks(layout: .default)
        if let prepare {
            try await prepare(table, lake)
        } else {
            try await table.append(ticks.map(SQLSampleLake.record))
        }
        var engine = try engine(data: data, timeout: timeout, maxRunning: maxRunning, maxWaiting: maxWaiting)
        configure(&engine)
        var configuration = LakeMarketData.Configuration(location: lake.path)
        configuration.localDirectory = lake.path
        configuration.duckdb = engine
        let source = LakeMarketData(table: table, store: store, tail: HotTail(), configuration: configuration, stats: {
            PipelineStatsDTO(generatedAtMs: 0, ingestRatePerSecond: 0, ticksTotal: 0, freshnessP50Ms: nil, freshnessP95Ms: nil,
                             partitions: [], providers: [])
        }, logger: logger)
        var serverLogger = Logger(label: "cryptoviz.server.test")
        serverLogger.logLevel = .warning
        let server = try CryptoVizServer(configuration: ServerConfiguration(port: 0), data: source, alerts: alerts, logger: serverLogger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { continuation.yield($0) }
        }
        for await port in ports {
            return LakeSQLServer(data: data, lake: lake, table: table, port: port, task: task)
        }
        _ = try await task.value
        throw TestClientError("server stopped before listening")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(at: data)
    }

    /// `POST /api/v1/sql` as the dashboard sends it.
    func sql(_ statement: String, limit: Int? = nil) async throws -> HTTPTestResponse {
        var body: [String: Any] = ["sql": statement]
        if let limit { body["limit"] = limit }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await HTTPTestClient.post(port: port, "/api/v1/sql", json: json)
    }

    func get(_ path: String) async throws -> HTTPTestResponse {
        try await HTTPTestClient.get(port: port, path)
    }
}

/// A small lake: two assets from three sources, every ten minutes over one UTC day.
enum SQLSampleLake {
    static let day: Int64 = 1_764_547_200_000  // 2025-12-01T00:00:00Z

    static func ticks() -> [Tick] {
        var out: [Tick] = []
        for step in 0..<144 {
            let t = day + Int64(step) * 600_000
            for source in [ProviderID("binance"), ProviderID("coingecko"), ProviderID("coinmarketcap")] {
                for (asset, price) in [(AssetID("bitcoin"), 90_000.0), (AssetID("ethereum"), 3_000.0)] {
                    out.append(Tick(source: source, asset: asset, symbol: asset == "bitcoin" ? "BTC" : "ETH",
                                    price: price + Double(step), sourceTimeMillis: t, collectedTimeMillis: t + 40))
                }
            }
        }
        return out
    }

    static func record(_ tick: Tick) -> LakeRecord {
        LakeRecord(tick: tick, ingestedTimeMillis: tick.sourceTimeMillis + 50, processedTimeMillis: tick.sourceTimeMillis + 60,
                   busTopic: "crypto-raw-data", busPartition: 0, busOffset: tick.sourceTimeMillis / 600_000)
    }
}
