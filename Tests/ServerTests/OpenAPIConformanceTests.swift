import Alerts
import Foundation
import Logging
import Testing
import TestSupport
@testable import Server

/// Fuzzes the read-only API from its own OpenAPI document with schemathesis (PyPI, in the
/// venv): responses must match the documented schemas and status codes, and no input may
/// produce a 5xx.
@Suite struct OpenAPIConformanceTests {
    @Test func schemathesisFindsNoFailures() async throws {
        let data = InMemoryMarketData()
        await DemoTickGenerator(data: data).seedHistory()
        // Alerts on, so the rule endpoints are fuzzed against a real monitor.
        let alertsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-alerts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: alertsDirectory) }
        let alerts = try AlertMonitor(store: AlertStore(directory: alertsDirectory), logger: Logger(label: "cryptoviz.alerts.test"))
        let server = try await RunningServer.start(data: data, alerts: alerts)
        let python = try TestEnvironment.python()
        let script = TestEnvironment.oracle("server/schemathesis.sh")
        let result = try await HTTPTestClient.offload {
            try ProcessRunner.run(
                "/bin/bash", [script, "http://127.0.0.1:\(server.port)"],
                environment: ["CRYPTOVIZ_PYTHON": python, "SCHEMATHESIS_MAX_EXAMPLES": "25"], check: false)
        }
        await server.stop()
        #expect(result.status == 0, "schemathesis failed:\n\(result.stdout.suffix(6000))\n\(result.stderr.suffix(2000))")
    }
}
