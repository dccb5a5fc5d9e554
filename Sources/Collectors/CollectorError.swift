import CryptoVizCore

/// A collection request failed, classified so the transport knows whether to retry.
///
/// `message` is built from status codes, provider error texts and field names only — never
/// from request headers or URLs with credentials — so an API key cannot leak through it.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    /// The failure classes the retry policy, circuit breaker and health snapshot act on.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No complete response within the request timeout.
        case timeout
        /// The connection could not be made or broke.
        case connection
        /// HTTP 5xx.
        case serverError = "server_error"
        /// HTTP 429 or a provider's own "too many requests" code (CMC 1008/1011).
        case rateLimited = "rate_limited"
        /// HTTP 418: Binance has banned the address for ignoring 429s.
        case banned
        /// HTTP 451: the provider refuses this region (Binance from US hosts).
        case unavailableFromLocation = "unavailable_from_location"
        /// HTTP 401/403 or CMC 1001–1007: missing, invalid or under-privileged key.
        case unauthorized
        /// CMC 1009/1010: the daily or monthly credit budget is spent.
        case quotaExhausted = "quota_exhausted"
        /// Another 4xx, or a non-zero provider status we do not know.
        case requestRejected = "request_rejected"
        /// The body was not JSON of the documented shape, or was truncated.
        case malformedBody = "malformed_body"
        /// The provider is skipped because its circuit breaker is open.
        case circuitOpen = "circuit_open"
        /// The provider cannot run (e.g. CMC without a key).
        case disabled
    }

    public var provider: ProviderID
    public var code: Code
    public var message: String
    /// How long the provider asked us to wait (`Retry-After`), when it said.
    public var retryAfter: Duration?

    public init(provider: ProviderID, code: Code, _ message: String, retryAfter: Duration? = nil) {
        self.provider = provider
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Timeouts, connection failures, 5xx and 429 are worth another attempt; everything else
    /// will fail the same way again (a ban, a bad key, a malformed body, a region block).
    public var isRetryable: Bool {
        switch code {
        case .timeout, .connection, .serverError, .rateLimited: true
        default: false
        }
    }

    public var description: String { "\(provider): \(code.rawValue): \(message)" }
}
