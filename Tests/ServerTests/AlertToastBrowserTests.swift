import Alerts
import Foundation
import Logging
import Testing
import TestSupport
@testable import Server

/// The dashboard's alert toast in headless Chromium (playwright): a rule added from the page
/// fires on the demo feed and its alert appears as a toast, on the start tab and another.
@Suite struct AlertToastBrowserTests {
    @Test func firedAlertsShowAsToastsOnEveryTab() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alert-toast-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = InMemoryMarketData()
        let generator = DemoTickGenerator(data: data)
        await generator.seedHistory()
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: Logger(label: "cryptoviz.alerts.test"))
        let ticks = data.liveTicks()
        let evaluating = Task { await monitor.run(ticks: ticks) }
        let feeding = Task { await generator.run() }
        let server = try await RunningServer.start(data: data, alerts: monitor)
        let python = try TestEnvironment.python()
        let arguments = [TestEnvironment.oracle("server/alert_toast.py"), "--url", "http://127.0.0.1:\(server.port)"]
        let result = try await HTTPTestClient.offload { try ProcessRunner.run(python, arguments, check: false) }
        print(result.stdout)
        feeding.cancel()
        evaluating.cancel()
        await server.stop()
        #expect(result.status == 0, "alert toast check failed:\n\(result.stdout)\n\(result.stderr)")
    }
}
