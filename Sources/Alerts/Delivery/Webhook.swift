import Foundation

/// A receiver of alert events: each fired and resolved event is POSTed to `url`, signed with
/// `secret` (`X-CryptoViz-Signature: sha256=<hex HMAC-SHA256 of the body>`).
public struct Webhook: Sendable, Hashable, Codable {
    /// Letters, digits, `_` and `-`: names the webhook in the outbox and dead-letter file.
    public var id: String
    public var url: String
    public var secret: String
    /// Per-attempt timeout.
    public var timeoutSeconds: Double
    /// Attempts before the delivery goes to the dead-letter file.
    public var maxAttempts: Int

    public init(id: String, url: String, secret: String, timeoutSeconds: Double = 10, maxAttempts: Int = 8) {
        self.id = id
        self.url = url
        self.secret = secret
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
    }

    enum CodingKeys: String, CodingKey {
        case id, url, secret
        case timeoutSeconds = "timeout_seconds"
        case maxAttempts = "max_attempts"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), url: try c.decode(String.self, forKey: .url),
            secret: try c.decode(String.self, forKey: .secret),
            timeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10,
            maxAttempts: try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 8)
    }

    public func validate() throws(AlertsError) {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw AlertsError.invalid("id", "must be 1 to 64 letters, digits, '_' or '-'")
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw AlertsError.invalid("url", "must be an http(s) URL")
        }
        guard secret.utf8.count >= 16 else { throw AlertsError.invalid("secret", "must be at least 16 bytes") }
        guard timeoutSeconds.isFinite, timeoutSeconds > 0, timeoutSeconds <= 300 else {
            throw AlertsError.invalid("timeout_seconds", "must be > 0 and <= 300")
        }
        guard (1...100).contains(maxAttempts) else { throw AlertsError.invalid("max_attempts", "must be from 1 to 100") }
    }
}
