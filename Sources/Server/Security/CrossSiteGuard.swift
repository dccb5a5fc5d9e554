import Foundation
import HTTPTypes
import Hummingbird

/// Refuses requests a web page on another site could forge against this server: every
/// method other than GET/HEAD/OPTIONS (management actions and SQL) must be a JSON request
/// from this server's own origin.
///
/// A page can make a browser send a "simple" cross-site POST (form or `text/plain` body,
/// no preflight) to 127.0.0.1, and on loopback no token is required (issue #12, row 2). No
/// cookies are used, so the defence is not about credentials but about who may trigger the
/// action at all:
/// - `Content-Type` must be `application/json` (415): simple requests cannot carry it, and
///   a cross-site one that does needs a CORS preflight, which this server never grants;
/// - `Sec-Fetch-Site`, when sent, must be `same-origin` or `none` (403);
/// - `Origin`, when sent, must be `http(s)://` + the request's `Host` (403);
/// - on a loopback bind, `Host` must name a loopback address or the configured host (403),
///   so a DNS-rebound name (`evil.example` resolving to 127.0.0.1) is not "same origin".
///
/// Requests for no route, or a method the route does not serve, pass on to the 404/405 answer.
struct CrossSiteGuard<Context: RequestContext>: RouterMiddleware {
    let configuration: ServerConfiguration
    let routes: RouteIndex

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if ![.get, .head, .options].contains(request.method),
            routes.methods(for: request.uri.path).contains(request.method.rawValue) {
            try check(request)
        }
        return try await next(request, context)
    }

    func check(_ request: Request) throws {
        let host = request.head.authority ?? request.headers[.hostHeader]
        if configuration.isLoopback {
            guard let host, allowedLoopbackHost(host) else {
                throw APIError(.forbidden, "requests must address this server by a loopback name (Host \(String((host ?? "missing").prefix(100))) refused)")
            }
        }
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
            throw APIError(.forbidden, "cross-site requests are refused (Sec-Fetch-Site: \(site.prefix(40)))")
        }
        if let origin = request.headers[.origin] {
            guard let host, origin == "http://" + host || origin == "https://" + host else {
                throw APIError(.forbidden, "requests from origin \(origin.prefix(100)) are refused; only this server's own pages may send them")
            }
        }
        guard let type = request.headers[.contentType], MediaType.isJSON(type) else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json")
        }
    }

    /// `host[:port]` names 127.x, localhost, ::1 or the configured host.
    private func allowedLoopbackHost(_ authority: String) -> Bool {
        var name = authority.lowercased()
        if name.hasPrefix("[") {
            name = String(name.prefix { $0 != "]" }.dropFirst())
        } else if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        return name == "localhost" || name == "::1" || name.hasPrefix("127.") || name == configuration.host.lowercased()
    }
}

enum MediaType {
    /// `application/json`, optionally with parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return media.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let hostHeader = HTTPField.Name("Host")!
}
