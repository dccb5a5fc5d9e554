import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of a running server's alerts API (`/api/v1/alerts/rules`, `/api/v1/alerts`), for
/// `cryptoviz alerts` and scripts.
///
/// Writes send `Content-Type: application/json` (the server's management rule) and the bearer
/// token when one is given; a refusal becomes a `request` error carrying the server's message
/// and the field it names.
public struct AlertsAPIClient: Sendable {
    /// `http://host:port` of the server.
    public var baseURL: String
    public var token: String?
    public var timeout: TimeAmount
    let client: HTTPClient

    public init(baseURL: String, token: String? = nil, timeout: TimeAmount = .seconds(30), client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.client = client
    }

    public func rules() async throws(AlertsError) -> [AlertRule] {
        struct Body: Decodable { var rules: [AlertRule] }
        return try decode(Body.self, await send(.GET, "/api/v1/alerts/rules")).rules
    }

    /// Adds a rule given as JSON (validated by the server, which names the field at fault).
    public func add(ruleJSON: [UInt8]) async throws(AlertsError) -> AlertRule {
        struct Body: Decodable { var rule: AlertRule }
        return try decode(Body.self, await send(.POST, "/api/v1/alerts/rules", body: ruleJSON)).rule
    }

    /// Replaces the rule with `rule.id`.
    public func replace(_ rule: AlertRule) async throws(AlertsError) -> AlertRule {
        struct Body: Decodable { var rule: AlertRule }
        let json: [UInt8]
        do { json = Array(try JSONEncoder().encode(rule)) } catch { throw AlertsError(.request, "cannot encode the rule: \(error)") }
        return try decode(Body.self, await send(.PUT, "/api/v1/alerts/rules/\(rule.id)", body: json)).rule
    }

    public func remove(id: String) async throws(AlertsError) {
        _ = try await send(.DELETE, "/api/v1/alerts/rules/\(id)")
    }

    /// The newest alerts (fired and resolved), newest first.
    public func alerts(limit: Int = 100) async throws(AlertsError) -> [AlertEvent] {
        struct Body: Decodable { var alerts: [AlertEvent] }
        return try decode(Body.self, await send(.GET, "/api/v1/alerts?limit=\(limit)")).alerts
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws(AlertsError) -> [UInt8] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if method != .GET { request.headers.add(name: "Content-Type", value: "application/json") }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            var buffer = try await response.body.collect(upTo: 16 << 20)
            bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            throw AlertsError(.request, "\(method.rawValue) \(baseURL)\(path) failed: \(error)")
        }
        guard (200..<300).contains(status) else {
            struct Failure: Decodable {
                struct Detail: Decodable { var code: String; var message: String; var parameter: String? }
                var error: Detail
            }
            if let failure = try? JSONDecoder().decode(Failure.self, from: Data(bytes)) {
                throw AlertsError(.request, "HTTP \(status) \(failure.error.code): \(failure.error.message)", field: failure.error.parameter)
            }
            throw AlertsError(.request, "HTTP \(status) from \(method.rawValue) \(path)")
        }
        return bytes
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(AlertsError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw AlertsError(.request, "unexpected response: \(error)")
        }
    }
}
