import Alerts
import CryptoVizCore
import Foundation
import Logging
import Testing
@testable import Server

/// `AlertsAPIClient` (what `cryptoviz alerts` uses) against a real server with alerts on.
@Suite struct AlertsAPIClientTests {
    @Test func addsListsRemovesAndReportsTheFieldAtFault() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-client-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: Logger(label: "cryptoviz.alerts.test"))
        let server = try await RunningServer.start(configuration: ServerConfiguration(port: 0, token: "client-token"), alerts: monitor)
        let client = AlertsAPIClient(baseURL: "http://127.0.0.1:\(server.port)", token: "client-token")
        let added = try await client.add(ruleJSON: Array(#"{"id":"spread-2","type":"spread","percent":2}"#.utf8))
        #expect(added.condition == .spread(percent: 2, maxQuoteAgeSeconds: 120))
        #expect(try await client.rules().map(\.id) == ["spread-2"])
        var changed = added
        changed.severity = .critical
        #expect(try await client.replace(changed).severity == .critical)
        await #expect {
            _ = try await client.add(ruleJSON: Array(#"{"id":"bad","type":"anomaly","z":3,"window_minutes":-1}"#.utf8))
        } throws: { error in
            (error as? AlertsError)?.field == "window_minutes" && (error as? AlertsError)?.message.contains("HTTP 400") == true
        }
        let anonymous = AlertsAPIClient(baseURL: "http://127.0.0.1:\(server.port)")
        await #expect { try await anonymous.remove(id: "spread-2") } throws: { ($0 as? AlertsError)?.message.contains("401") == true }
        try await client.remove(id: "spread-2")
        #expect(try await client.rules().isEmpty)
        #expect(try await client.alerts().isEmpty)
        await server.stop()
    }
}
