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
        guard let header = request.headers[.authorization], let presented = Self.bearerToken(in: header) else {
            throw APIError(.unauthorized, "missing 'Authorization: Bearer <token>' header")
        }
        guard Self.constantTimeEquals(Array(presented.utf8), Array(expected.utf8)) else {
            throw APIError(.unauthorized, "invalid bearer token")
        }
    }

    /// The token of a `Bearer` credential; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(in header: String) -> Substring? {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " "), trimmed[..<space].lowercased() == "bearer" else { return nil }
        let token = trimmed[space...].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched;
    /// the length difference counts in full (a truncated one let lengths 256 apart look equal).
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= UInt((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0))
        }
        return difference == 0
    }
}
