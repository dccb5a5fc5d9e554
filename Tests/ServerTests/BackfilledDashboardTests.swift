import Foundation
import Testing
import TestSupport

/// `up --demo` after `cryptoviz backfill`: the Dashboard's 30-day candle chart of a
/// backfilled asset draws the whole month as soon as the asset is picked, in headless
/// Chromium, with its volume pane and a Bollinger overlay from the indicators endpoint. A demo lake without the backfill holds about a day, so the span is the
/// backfill's, joined to the live minutes.
@Suite(.serialized) struct BackfilledDashboardTests {
    @Test func thirtyBackfilledDaysDrawAsSoonAsTheAssetIsPicked() async throws {
        let (simulator, url) = try CryptovizRoles.simulator(assets: 20, label: "simulate-dashboard-history")
        defer { simulator.stop() }
        let data = try TestEnvironment.temporaryDirectory("backfilled-dashboard")
        let binary = try TestEnvironment.cryptovizBinary()
        let backfill = try await HTTPTestClient.offload {
            try ProcessRunner.run(binary, [
                "backfill", "--data", data.path, "--providers", "binance", "--assets", "bitcoin,ethereum", "--from", "-30d",
                "--binance-url", url, "--coingecko-url", url + "/api/v3", "--binance-weight-limit", "100000",
            ], check: false)
        }
        try #require(backfill.status == 0, "backfill failed:\n\(backfill.stdout)\n\(backfill.stderr)")

        let port = try LoopbackPort.free()
        let up = ManagedProcess(executable: binary,
                                arguments: ["up", "--demo", "--demo-assets", "10", "--data", data.path, "--port", "\(port)"],
                                label: "cryptoviz-up-history")
        try up.start()
        defer { up.stop(signal: SIGTERM) }
        try LoopbackPort.waitUntilOpen(port, timeout: 60)

        let screenshot = TestEnvironment.repositoryRoot.appendingPathComponent("test-output/screenshots/dashboard-30d-backfilled.png")
        try FileManager.default.createDirectory(at: screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        let python = try TestEnvironment.python()
        let browser = try await HTTPTestClient.offload {
            try ProcessRunner.run(python, [TestEnvironment.oracle("server/dashboard_history.py"), "--url", "http://127.0.0.1:\(port)",
                                           "--asset", "bitcoin", "--screenshot", screenshot.path], check: false)
        }
        try #require(browser.status == 0, "browser script failed:\n\(browser.stdout)\n\(browser.stderr)")
        let line = try #require(browser.stdout.split(separator: "\n").last)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(result["drawn"] as? Bool == true, "\(result)\n\(up.logTail())")
        let span = (result["span_days"] as? NSNumber)?.doubleValue ?? 0
        #expect(span >= 29, "the chart spans \(span) days: \(result)")
        // At once: drawn from the lake on the first request, not after any collection.
        let after = (result["drawn_after_s"] as? NSNumber)?.doubleValue ?? .infinity
        #expect(after < 10, "drawn \(after) s after the asset was picked")
        // Klines carry traded volume: the volume pane draws; the Bollinger overlay draws its three lines.
        #expect(((result["volume_bars"] as? NSNumber)?.intValue ?? 0) > 100, "volume pane: \(result)")
        #expect(Set((result["overlays"] as? String ?? "").split(separator: ",")) == ["bollinger:20:2 upper", "bollinger:20:2 middle", "bollinger:20:2 lower"],
                "overlays: \(result)")
        let intervals = result["intervals"] as? [String: [String: Any]] ?? [:]
        for interval in ["1m", "5m", "1h", "1d"] {
            let bars = (intervals[interval]?["volume_bars"] as? NSNumber)?.intValue ?? 0
            #expect(bars > 0, "\(interval): no volume pane (\(intervals[interval] ?? [:]))")
        }
        // The Markets table's 7-day line: 42 steps of 4 h, every one inside the backfilled month.
        let sparkline = result["sparkline"] as? [String: Any]
        #expect(((sparkline?["points"] as? NSNumber)?.intValue ?? 0) >= 40, "sparkline: \(String(describing: sparkline))")
        #expect((sparkline?["label"] as? String)?.hasPrefix("last 7 days: ") == true, "sparkline: \(String(describing: sparkline))")
        #expect((result["console_errors"] as? [Any])?.isEmpty == true, "console errors: \(result["console_errors"] ?? [])")
        #expect(up.isRunning, "\(up.logTail())")
    }
}
