import Alerts
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Synchronization
import Testing
import TestSupport
@testable import Server

/// The alert history in the lake's `alerts` table: what `/api/v1/alerts` lists is what delta-rs
/// and DuckDB read from the table and what the SQL explorer's `alerts` view returns; a burst
/// of alerts is one commit; a restarted exporter adds nothing twice.
@Suite struct AlertHistoryLakeTests {
    private let logger = Logger(label: "cryptoviz.alerts.test")
    private static let t0: Int64 = 1_767_225_600_000

    private static func tick(_ asset: String, _ price: Double, at ms: Int64, source: ProviderID = .binance) -> Tick {
        Tick(source: source, asset: AssetID(rawValue: asset), symbol: "X", price: price, sourceTimeMillis: ms, collectedTimeMillis: ms)
    }

    @Test func apiTableDeltaRsDuckDBAndSQLAgree() async throws {
        let data = try TestEnvironment.temporaryDirectory("alert-history")
        defer { try? FileManager.default.removeItem(at: data) }
        let clock = Clock(Self.t0)
        let monitor = try AlertMonitor(store: AlertStore(directory: data.appendingPathComponent("alerts")), exportsHistory: true,
                                       logger: logger, clock: { clock.now })
        try await monitor.add(AlertRule(id: "any-above-100", condition: .priceAbove(level: 100), cooldownSeconds: 0, hysteresis: 1))
        try await monitor.add(AlertRule(id: "quiet-coin", condition: .staleSource(seconds: 5), scope: AlertScope(sources: [.coinbase]),
                                        severity: .critical, cooldownSeconds: 0))
        let server = try await LakeSQLServer.start(alerts: monitor)
        let lake = try await Lake.open(store: try LocalFileStore(root: server.lake.path), logger: logger)
        let export = AlertHistoryExport(lake: lake, alerts: monitor, logger: logger)

        // 40 assets cross at once: 40 firings in one evaluation, exported as one version.
        await monitor.ingest((0..<40).map { Self.tick("coin-\($0)", 150, at: Self.t0) })
        await monitor.advanceClock()  // the stale rule starts watching coinbase, never seen
        var committed: Int?
        try await export.exportPending(&committed)
        let table = try await lake.alerts()
        let afterBurst = try await table.delta.latestSnapshot().version
        #expect(committed == 40)
        #expect(afterBurst == 1, "creation then one append for the burst, got version \(afterBurst)")

        // Half resolve, a source goes silent (no asset), one asset fires again.
        clock.set(Self.t0 + 10_000)
        await monitor.ingest((0..<20).map { Self.tick("coin-\($0)", 50, at: Self.t0 + 10_000) })
        await monitor.advanceClock()
        await monitor.ingest([Self.tick("coin-0", 200, at: Self.t0 + 10_500)])
        try await export.exportPending(&committed)
        #expect(committed == 62, "40 fired + 20 resolved + 1 stale + 1 fired again")

        // A restarted exporter (no memory of its position) finds everything in the lake.
        var fresh: Int?
        try await AlertHistoryExport(lake: lake, alerts: monitor, logger: logger).exportPending(&fresh)
        #expect(fresh == 62)
        #expect(try await table.delta.latestSnapshot().version == 2, "nothing appended twice")

        let api = try await server.get("/api/v1/alerts?limit=1000")
        #expect(api.status == 200, "\(api.text)")
        let listed = try #require(try api.json()["alerts"] as? [[String: Any]])
        #expect(listed.count == 62)
        let expected = Set(listed.map(Self.row))

        let ours = try await table.records()
        #expect(ours.map(\.position) == Array(0..<62))
        let oracle = try JSONSerialization.jsonObject(with: Data(ProcessRunner.oracle(
            "lakehouse/alerts_oracle.py", [server.lake.appendingPathComponent("alerts").path]).stdout.utf8)) as? [String: [[String: Any]]]
        let deltars = try #require(oracle?["deltars"]), duckdb = try #require(oracle?["duckdb"])
        #expect(Set(deltars.map(Self.row)) == expected, "delta-rs reads the rows the API lists")
        #expect(Set(duckdb.map(Self.row)) == expected, "DuckDB reads the rows the API lists")
        #expect(deltars.map { $0["position"] as? Int } == Array(0..<62))
        #expect(deltars.allSatisfy { ($0["date"] as? String) == "2026-01-01" })

        let sql = try await server.sql("""
            SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'resolved') AS resolved,
                   count(*) FILTER (WHERE asset IS NULL) AS no_asset, typeof(any_value(event_time)) AS t
            FROM alerts
            """)
        #expect(sql.status == 200, "\(sql.text)")
        let row = try #require((try sql.json()["rows"] as? [[Any]])?.first)
        #expect(row[0] as? Int == 62 && row[1] as? Int == 20 && row[2] as? Int == 1, "\(row)")
        #expect(row[3] as? String == "TIMESTAMP WITH TIME ZONE", "\(row)")
        await server.stop()
    }

    /// One event as comparable text: what the API and both readers must agree on.
    static func row(_ r: [String: Any]) -> String {
        let fields = ["id", "alert_id", "kind", "rule_id", "rule_name", "type", "severity", "asset", "source"]
        let text = fields.map { "\($0)=\(r[$0].flatMap { $0 is NSNull ? nil : "\($0)" } ?? "null")" }
        let numbers = ["value", "threshold"].map { "\($0)=" + String(format: "%.6f", (r[$0] as? NSNumber)?.doubleValue ?? .nan) }
        let times = ["fired_at_ms", "at_ms"].map { "\($0)=\((r[$0] as? NSNumber)?.int64Value ?? -1)" }
        return (text + numbers + times).joined(separator: " ")
    }

    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let value: Mutex<Int64>
        init(_ start: Int64) { value = Mutex(start) }
        var now: Int64 { value.withLock { $0 } }
        func set(_ ms: Int64) { value.withLock { $0 = ms } }
    }
}
