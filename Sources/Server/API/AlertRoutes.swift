import Alerts
import CryptoVizCore
import Foundation
import Hummingbird

/// `/api/v1/alerts/rules` (list, create, replace, delete) and `/api/v1/alerts` (fired and
/// resolved alerts, newest first, paged).
///
/// Writes follow the management rule: bearer token where the server requires one, JSON from
/// the server's own origin (`CrossSiteGuard`), bodies capped like every POST. A rule is
/// validated in full before anything changes; scoped assets must be known to this server, so
/// a typo is a 400 rather than a rule that never fires.
struct AlertRoutes: Sendable {
    let alerts: AlertMonitor?
    let data: any MarketDataSource
    let auth: BearerAuthorization
    let maxBodyBytes: Int

    func register(_ add: (HTTPRequest.Method, String, @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) -> Void) {
        add(.get, "/api/v1/alerts/rules") { _, _ in
            let monitor = try enabled()
            return try JSONResponse.make(AlertRulesResponse(rules: await monitor.rules))
        }
        add(.post, "/api/v1/alerts/rules") { request, _ in
            try auth.authorize(request)
            let monitor = try enabled()
            let rule = try await readRule(request)
            try await mapped { try await monitor.add(rule) }
            return try JSONResponse.make(AlertRuleResponse(rule: rule), status: .created)
        }
        add(.put, "/api/v1/alerts/rules/{id}") { request, context in
            try auth.authorize(request)
            let monitor = try enabled()
            let id = try ruleID(context)
            let rule = try await readRule(request)
            try await mapped { try await monitor.replace(id: id, with: rule) }
            return try JSONResponse.make(AlertRuleResponse(rule: rule))
        }
        add(.delete, "/api/v1/alerts/rules/{id}") { request, context in
            try auth.authorize(request)
            let monitor = try enabled()
            let id = try ruleID(context)
            try await mapped { try await monitor.remove(id: id) }
            return try JSONResponse.make(AlertRuleDeletedResponse(deleted: id))
        }
        add(.get, "/api/v1/alerts") { request, _ in
            let monitor = try enabled()
            let query = request.uri.queryParameters
            let limit = try APIValidation.integer(query, "limit", in: 1...1000, default: 100)!
            var before: Int?
            if let raw = query.get("cursor") {
                guard let value = APIValidation.digits(raw, atMost: 9) else {
                    throw APIError.invalid("cursor", "must be 1 to 9 digits, as returned in next_cursor")
                }
                before = Int(value)
            }
            let page = await monitor.history(limit: Int(limit), before: before)
            return try JSONResponse.make(AlertsResponse(
                alerts: page.events, nextCursor: page.nextCursor.map { String($0) }, held: await monitor.heldAlertIDs))
        }
    }

    private func enabled() throws -> AlertMonitor {
        guard let alerts else { throw APIError(.notFound, "alerts are not enabled on this server") }
        return alerts
    }

    private func ruleID(_ context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get("id") else { throw APIError(.missingParameter, "missing rule id", parameter: "id") }
        guard !raw.isEmpty, raw.utf8.count <= 64, raw.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw APIError.invalid("id", "must be 1 to 64 letters, digits, '_' or '-'")
        }
        return raw
    }

    /// The body as one rule, validated, with every scoped asset known here.
    private func readRule(_ request: Request) async throws -> AlertRule {
        var buffer = try await request.body.collect(upTo: maxBodyBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        // RFC 8259 §8.1: UTF-8 only (Foundation would guess other encodings from the bytes).
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw APIError(.invalidBody, "request body must be a UTF-8 JSON rule object")
        }
        let rule: AlertRule
        do {
            rule = try AlertRule.decode(bytes)
        } catch {
            throw APIError(error)
        }
        for (i, asset) in rule.scope.assets.enumerated() where try await !data.isKnown(asset) {
            throw APIError(.invalidParameter, "unknown asset '\(asset.rawValue)'", parameter: "scope.assets[\(i)]")
        }
        return rule
    }

    private func mapped(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let error as AlertsError { throw APIError(error) }
    }
}

extension APIError {
    /// Maps an alerts failure onto the API's codes.
    init(_ error: AlertsError) {
        switch error.code {
        case .invalidRule: self.init(.invalidBody, error.message, parameter: error.field)
        case .unknownRule: self.init(.notFound, error.message, parameter: "id")
        case .duplicateRule: self.init(.conflict, error.message, parameter: "id")
        case .storage: self.init(.unavailable, "alert rules cannot be saved now")
        case .request: self.init(.internal, "internal error")
        }
    }
}
