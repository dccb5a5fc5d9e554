import Foundation
import Testing
import TestSupport

/// `cryptoviz up --demo --alerts FILE`, the real binary, killed with SIGKILL while an alert is
/// held and its webhook delivery is pending (receiver down), then started again with the
/// receiver up: the delivery arrives, signed, and the held alert is not fired a second time.
@Suite(.serialized) struct AlertsCrashRestartTests {
    private let secret = "crash-test-secret-0123"

    private func alerts(port: Int) async throws -> [String: Any] {
        try await HTTPTestClient.get(port: port, "/api/v1/alerts?limit=100").json()
    }

    /// Polls `/api/v1/alerts` until `condition` holds (generous: the demo polls every 2 s and the
    /// machine is shared).
    private func waitForAlerts(port: Int, seconds: Double = 90, _ condition: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let page = try? await alerts(port: port), condition(page) { return page }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }

    @Test func sigkillWithADeliveryPendingDeliversAfterRestartAndDoesNotRefire() async throws {
        let directory = try TestEnvironment.temporaryDirectory("alerts-crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hookPort = try LoopbackPort.free()
        let rules = directory.appendingPathComponent("rules.json")
        try Data("""
            {"version": 1,
             "rules": [{"id": "btc-up", "type": "price_above", "level": 1,
                        "scope": {"assets": ["bitcoin"], "sources": ["binance"]}}],
             "webhooks": [{"id": "test", "url": "http://127.0.0.1:\(hookPort)/hook", "secret": "\(secret)",
                           "max_attempts": 100, "timeout_seconds": 2}]}
            """.utf8).write(to: rules)
        let data = directory.appendingPathComponent("data")
        func up() throws -> (ManagedProcess, Int) {
            let port = try LoopbackPort.free()
            let process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
                "up", "--demo", "--demo-assets", "10", "--port", "\(port)", "--data", data.path, "--alerts", rules.path,
            ], label: "alerts-up")
            try process.start()
            try LoopbackPort.waitUntilOpen(port, timeout: 60)
            return (process, port)
        }

        let (first, firstPort) = try up()
        let fired = await waitForAlerts(port: firstPort) { ($0["held"] as? [String]) == ["btc-up-1"] }
        #expect(fired != nil, "no alert held: \(first.logTail())")
        let outbox = data.appendingPathComponent("alerts/outbox")
        let pending = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        #expect(pending.contains { $0.hasPrefix("test__btc-up-1") }, "the delivery waits in the outbox: \(pending)")
        first.stop(signal: SIGKILL)

        let receiver = WebhookReceiver(secret: secret)
        let (_, server) = try await receiver.start(port: hookPort)
        defer { server.cancel() }
        let (second, secondPort) = try up()
        defer { second.stop() }
        var delivered = false
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !delivered {
            delivered = receiver.uniqueKeys.contains("btc-up-1:fired")
            if !delivered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(delivered, "the pending delivery was not sent after the restart: \(second.logTail())")
        #expect(receiver.deliveries.allSatisfy { $0.signatureValid })
        // Ticks keep arriving above the level: still one firing, still held.
        let later = await waitForAlerts(port: secondPort) { page in
            ((page["alerts"] as? [[String: Any]]) ?? []).isEmpty == false
        }
        try await Task.sleep(for: .seconds(6))
        let page = try await alerts(port: secondPort)
        #expect(later != nil)
        #expect(page["held"] as? [String] == ["btc-up-1"])
        let ids = ((page["alerts"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids == ["btc-up-1:fired"], "a restart mid-hold fired again: \(ids)")
        #expect(!receiver.uniqueKeys.contains("btc-up-2:fired"))
        let metrics = try await HTTPTestClient.get(port: secondPort, "/metrics").text
        #expect(metrics.contains(#"cryptoviz_alerts_webhook_deliveries_total{outcome="delivered"}"#), "\(metrics.suffix(2000))")
    }
}
