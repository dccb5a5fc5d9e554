import Alerts
import CryptoVizCore
import Foundation
import Logging
import Testing
@testable import Server

/// The alert rules API and the alerts on the live feed, against a real server and a real
/// `AlertMonitor` over a temporary directory.
@Suite struct AlertRoutesTests {
    private static let json = ["Content-Type": "application/json"]

    private func start(configuration: ServerConfiguration = ServerConfiguration(port: 0)) async throws -> (RunningServer, AlertMonitor, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alert-routes-\(UUID().uuidString)")
        var logger = Logger(label: "cryptoviz.alerts.test")
        logger.logLevel = .warning
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: logger)
        let data = InMemoryMarketData()
        await data.append([SampleTicks.tick("binance", "bitcoin", price: 90, at: currentUnixMillis() - 1000)])
        let server = try await RunningServer.start(configuration: configuration, data: data, alerts: monitor)
        return (server, monitor, directory)
    }

    private let rule = #"{"id":"btc-100","type":"price_above","level":100,"scope":{"assets":["bitcoin"]},"cooldown_seconds":0}"#

    @Test func rulesCanBeCreatedListedReplacedAndDeleted() async throws {
        let (server, monitor, directory) = try await start()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await server.get("/api/v1/alerts/rules").json()["rules"] as? [Any] != nil)
        let created = try await server.post("/api/v1/alerts/rules", json: rule)
        #expect(created.status == 201, "\(created.text)")
        #expect((try created.json()["rule"] as? [String: Any])?["severity"] as? String == "warning")
        #expect(try await server.post("/api/v1/alerts/rules", json: rule).status == 409)
        let listed = try await server.get("/api/v1/alerts/rules").json()["rules"] as? [[String: Any]]
        #expect(listed?.map { $0["id"] as? String } == ["btc-100"])

        let replacement = rule.replacingOccurrences(of: #""level":100"#, with: #""level":120"#)
        let put = try await HTTPTestClient.send(port: server.port, "PUT", "/api/v1/alerts/rules/btc-100", headers: Self.json, body: replacement)
        #expect(put.status == 200, "\(put.text)")
        #expect(await monitor.rule(id: "btc-100")?.condition == .priceAbove(level: 120))
        let wrongID = try await HTTPTestClient.send(port: server.port, "PUT", "/api/v1/alerts/rules/other", headers: Self.json, body: replacement)
        #expect(wrongID.status == 400)
        let missing = try await HTTPTestClient.send(
            port: server.port, "PUT", "/api/v1/alerts/rules/nope", headers: Self.json,
            body: replacement.replacingOccurrences(of: "btc-100", with: "nope"))
        #expect(missing.status == 404)

        let deleted = try await HTTPTestClient.send(port: server.port, "DELETE", "/api/v1/alerts/rules/btc-100", headers: Self.json)
        #expect(deleted.status == 200)
        #expect(try await HTTPTestClient.send(port: server.port, "DELETE", "/api/v1/alerts/rules/btc-100", headers: Self.json).status == 404)
        #expect(await monitor.rules.isEmpty)
        await server.stop()
    }

    @Test(arguments: [
        (#"{"id":"x","type":"price_above","level":1,"scope":{"assets":["dogecoin-typo"]}}"#, 400, "scope.assets[0]"),
        (#"{"id":"x","type":"change","percent":5,"minutes":-10}"#, 400, "minutes"),
        (#"{"id":"x","type":"teleport"}"#, 400, "type"),
        (#"{"id":"x","type":"price_above","level":1"#, 400, nil),
        (#"[]"#, 400, nil),
    ] as [(String, Int, String?)])
    func badRulesAre4xxAndChangeNothing(body: String, status: Int, parameter: String?) async throws {
        let (server, monitor, directory) = try await start()
        defer { try? FileManager.default.removeItem(at: directory) }
        let response = try await server.post("/api/v1/alerts/rules", json: body)
        #expect(response.status == status, "\(response.text)")
        let error = try response.errorFields()
        #expect(error.code == "invalid_body" || error.code == "invalid_parameter")
        #expect(error.parameter == parameter)
        #expect(await monitor.rules.isEmpty)
        await server.stop()
    }

    @Test func aMegabyteBodyIs413() async throws {
        let (server, monitor, directory) = try await start()
        defer { try? FileManager.default.removeItem(at: directory) }
        let padded = #"{"id":"x","type":"price_above","level":1,"name":""# + String(repeating: "a", count: 1 << 20) + #""}"#
        let response = try await server.post("/api/v1/alerts/rules", json: padded)
        #expect(response.status == 413)
        #expect(try response.errorFields().code == "payload_too_large")
        #expect(await monitor.rules.isEmpty)
        await server.stop()
    }

    @Test func writesNeedTheTokenWhereTheServerHasOne() async throws {
        let (server, monitor, directory) = try await start(configuration: ServerConfiguration(port: 0, token: "secret-token"))
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await server.post("/api/v1/alerts/rules", json: rule).status == 401)
        #expect(try await server.get("/api/v1/alerts/rules").status == 200)
        let authorized = try await server.post("/api/v1/alerts/rules", json: rule, headers: ["Authorization": "Bearer secret-token"])
        #expect(authorized.status == 201)
        #expect(await monitor.rules.count == 1)
        await server.stop()
    }

    @Test func firedAlertsArePushedOnTheLiveFeedAndListed() async throws {
        let (server, monitor, directory) = try await start()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ticks = server.data.liveTicks()
        let feeding = Task { await monitor.run(ticks: ticks) }
        defer { feeding.cancel() }
        #expect(try await server.post("/api/v1/alerts/rules", json: rule).status == 201)
        let stream = try await HTTPTestClient.openStream(port: server.port, "/api/v1/live?assets=ethereum")
        _ = try await HTTPTestClient.offload { try stream.readUntil(seconds: 10) { $0.contains(": connected") } }
        await server.data.append([SampleTicks.tick("binance", "bitcoin", price: 101, at: currentUnixMillis())])
        let text = try await HTTPTestClient.offload { try stream.readUntil(seconds: 20) { $0.contains("event: alert") && $0.contains("\n\n") } }
        #expect(text.contains(#""id":"btc-100-1:fired""#), "the alert reaches a stream filtered to another asset: \(text.suffix(500))")
        stream.closeConnection()
        let page = try await server.get("/api/v1/alerts?limit=10").json()
        let alerts = page["alerts"] as? [[String: Any]]
        #expect(alerts?.first?["alert_id"] as? String == "btc-100-1")
        #expect(alerts?.first?["value"] as? Double == 101)
        #expect(page["held"] as? [String] == ["btc-100-1"])
        #expect(try await server.get("/api/v1/alerts?limit=0").status == 400)
        #expect(try await server.get("/api/v1/alerts?cursor=5").status == 200)
        for cursor in ["%2B5", "-1", "1234567890", "", "5x"] {
            #expect(try await server.get("/api/v1/alerts?cursor=\(cursor)").status == 400, "cursor=\(cursor)")
        }
        await server.stop()
    }

    @Test func alertRoutesAre404WhenAlertsAreOff() async throws {
        let server = try await RunningServer.start()
        #expect(try await server.get("/api/v1/alerts/rules").status == 404)
        #expect(try await server.get("/api/v1/alerts").status == 404)
        await server.stop()
    }
}
