import Alerts
import CryptoVizCore
import Foundation
import Logging
import Testing
import TestSupport
@testable import Server

/// The dashboard's Alerts tab in headless Chromium (`Tests/Oracles/server/alerts_view.py`),
/// against a server that requires a management token: the history pages and follows the
/// UTC/local switch; rules are created (after the token is given), edited, disabled and
/// deleted from the page; what the page did is what the monitor holds afterwards.
@Suite struct AlertsViewBrowserTests {
    @Test func rulesAndHistoryFromTheAlertsTab() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-view-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = InMemoryMarketData()
        await DemoTickGenerator(data: data).seedHistory()
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: Logger(label: "cryptoviz.alerts.test"))
        // 45 events of one rule: 23 firings and 22 resolutions, three pages of history.
        try await monitor.add(AlertRule(id: "seeded", condition: .priceAbove(level: 100), cooldownSeconds: 0))
        let start = currentUnixMillis() - 3_600_000
        for i in 0..<45 {
            await monitor.ingest([Tick(source: .binance, asset: "bitcoin", symbol: "BTC", price: i % 2 == 0 ? 101 : 99,
                                       sourceTimeMillis: start + Int64(i) * 1000, collectedTimeMillis: start + Int64(i) * 1000)])
        }
        #expect(await monitor.historyEnd == 45)
        let token = "alerts-view-token-0123456789"
        let server = try await RunningServer.start(configuration: ServerConfiguration(port: 0, token: token), data: data, alerts: monitor)
        let output = TestEnvironment.repositoryRoot.appendingPathComponent("test-output/screenshots").path
        let python = try TestEnvironment.python()
        let arguments = [TestEnvironment.oracle("server/alerts_view.py"), "--url", "http://127.0.0.1:\(server.port)",
                         "--token", token, "--history", "45", "--screenshots", output]
        let result = try await HTTPTestClient.offload { try ProcessRunner.run(python, arguments, check: false) }
        print(result.stdout)
        let rules = await monitor.rules
        await server.stop()
        #expect(result.status == 0, "alerts view check failed:\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("0 failed"))
        let made = try #require(rules.first { $0.id == "btc-high" }, "\(rules.map(\.id))")
        #expect(made.name == "Bitcoin very high" && made.cooldownSeconds == 60 && !made.enabled)
        #expect(made.condition == .priceAbove(level: 123_456) && made.scope.assets == ["bitcoin"])
        #expect(!rules.contains { $0.id == "eth-gone" || $0.id == "bad-change" }, "\(rules.map(\.id))")
    }
}
