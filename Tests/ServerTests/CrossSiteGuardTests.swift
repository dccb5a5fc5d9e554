import Foundation
import Testing
@testable import Server

/// Requests a page on another site can make a browser send (issue #12, row 2) are refused on
/// every state-changing route and on SQL, before the action runs; the dashboard's own
/// requests and other clients' JSON requests still pass.
@Suite struct CrossSiteGuardTests {
    static let routes: [(path: String, body: String)] = [
        ("/api/v1/lake/compact", "{}"),
        ("/api/v1/lake/vacuum", #"{"dry_run": false}"#),
        ("/api/v1/lake/retention", #"{"days": 1}"#),
        ("/api/v1/sql", #"{"sql": "SELECT * FROM ticks"}"#),
    ]

    /// What a forging page can send, and the status it must get.
    static let forgeries: [(name: String, headers: [String: String], status: Int)] = [
        ("text/plain form", ["Content-Type": "text/plain", "Origin": "http://evil.example"], 403),
        ("text/plain, no Origin", ["Content-Type": "text/plain"], 415),
        ("urlencoded form", ["Content-Type": "application/x-www-form-urlencoded"], 415),
        ("multipart form", ["Content-Type": "multipart/form-data; boundary=x"], 415),
        ("no content type", [:], 415),
        ("JSON from another origin", ["Content-Type": "application/json", "Origin": "http://evil.example"], 403),
        ("JSON from another port", ["Content-Type": "application/json", "Origin": "http://127.0.0.1:1"], 403),
        ("JSON from an opaque origin", ["Content-Type": "application/json", "Origin": "null"], 403),
        ("cross-site fetch", ["Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"], 403),
        ("same-site fetch", ["Content-Type": "application/json", "Sec-Fetch-Site": "same-site"], 403),
        ("DNS-rebound name", ["Content-Type": "application/json", "Host": "evil.example:PORT", "Origin": "http://evil.example:PORT"], 403),
    ]

    @Test func forgedBrowserRequestsAreRefusedOnEveryRouteAndChangeNothing() async throws {
        let server = try await RunningServer.start(data: await CryptoVizServerTests.seeded())
        let versions = try await server.get("/api/v1/lake/versions").json()["versions"] as? [[String: Any]]
        for route in Self.routes {
            for forgery in Self.forgeries {
                var headers = forgery.headers
                for (key, value) in headers { headers[key] = value.replacingOccurrences(of: "PORT", with: "\(server.port)") }
                let response = try await HTTPTestClient.send(port: server.port, "POST", route.path, headers: headers, body: route.body)
                #expect(response.status == forgery.status, "\(forgery.name) on \(route.path): \(response.status) \(response.text)")
                let code = try response.errorFields().code
                #expect(code == (forgery.status == 403 ? "forbidden" : "unsupported_media_type"), "\(forgery.name): \(response.text)")
                #expect(response.headers["set-cookie"] == nil)
            }
        }
        let after = try await server.get("/api/v1/lake/versions").json()["versions"] as? [[String: Any]]
        #expect(after?.compactMap { $0["version"] as? Int } == versions?.compactMap { $0["version"] as? Int })
        #expect(versions?.count == 3)
        await server.stop()
    }

    @Test func theDashboardsOwnRequestsAndPlainJSONClientsPass() async throws {
        let server = try await RunningServer.start(data: await CryptoVizServerTests.seeded())
        let own: [[String: String]] = [
            ["Content-Type": "application/json", "Host": "127.0.0.1:\(server.port)", "Origin": "http://127.0.0.1:\(server.port)",
             "Sec-Fetch-Site": "same-origin"],
            ["Content-Type": "application/json; charset=utf-8", "Host": "localhost:\(server.port)", "Origin": "http://localhost:\(server.port)"],
            ["Content-Type": "Application/JSON", "Sec-Fetch-Site": "none"],
            ["Content-Type": "application/json"],
        ]
        for headers in own {
            let response = try await HTTPTestClient.send(port: server.port, "POST", "/api/v1/sql", headers: headers,
                                                         body: #"{"sql": "SELECT asset FROM ticks", "limit": 1}"#)
            #expect(response.status == 200, "\(headers): \(response.text)")
            #expect(response.headers["set-cookie"] == nil)
        }
        // Reads stay open to any page, as before.
        let read = try await HTTPTestClient.send(port: server.port, "GET", "/api/v1/lake", headers: ["Origin": "http://evil.example"])
        #expect(read.status == 200)
        await server.stop()
    }

    @Test(arguments: [
        ("application/json", true), ("application/json; charset=utf-8", true), (" APPLICATION/JSON ;x=y", true),
        ("text/plain", false), ("application/jsonp", false), ("application/x-www-form-urlencoded", false), ("", false),
    ])
    func onlyJSONMediaTypesCount(_ type: String, _ isJSON: Bool) {
        #expect(MediaType.isJSON(type) == isJSON)
    }
}
