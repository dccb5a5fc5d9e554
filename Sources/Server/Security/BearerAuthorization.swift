import Hummingbird

/// Checks `Authorization: Bearer <token>` on protected endpoints (management, SQL).
struct BearerAuthorization: Sendable {
    let configuration: ServerConfiguration

    /// Throws `unauthorized` unless the request may use a protected endpoint.
    ///
    /// Fails closed: a non-loopback server without a token rejects every protected request.
    func authorize(_ request: Request) throws {
        guard configuration.requiresToken else { return }
        guard let expected = configuration.token, !expected.isEmpty else {
            throw APIError(.unauthorized, "this server has no token configured; management and SQL are disabled")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "missing 'Authorization: Bearer <token>' header")
        }
        guard Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(expected.utf8)) else {
            throw APIError(.unauthorized, "invalid bearer token")
        }
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
