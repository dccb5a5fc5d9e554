import CryptoVizCore

/// A complete HTTP response as the adapters see it.
public struct HTTPReply: Sendable {
    public var status: Int
    /// Header values by lower-cased name (the last value wins for repeated names).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `Retry-After` in delta-seconds (RFC 9110 §10.2.3); HTTP-date forms are ignored.
    public var retryAfter: Duration? {
        guard let text = headers["retry-after"],
            let seconds = Double(text.filter { $0 != " " }), seconds.isFinite, seconds >= 0
        else { return nil }
        return .milliseconds(Int64(min(seconds, 86_400 * 3) * 1000))
    }

    /// Maps a non-2xx status to the error the retry policy understands; nil for 2xx.
    /// 451 is a region block (not transient), 418 a ban, 429 a throttle.
    public func statusError(provider: ProviderID) -> CollectorError? {
        switch status {
        case 200..<300: return nil
        case 429: return CollectorError(provider: provider, code: .rateLimited, "HTTP 429 Too Many Requests", retryAfter: retryAfter)
        case 418: return CollectorError(provider: provider, code: .banned, "HTTP 418: address banned for ignoring 429", retryAfter: retryAfter)
        case 451: return CollectorError(provider: provider, code: .unavailableFromLocation, "HTTP 451: unavailable from this location")
        case 401, 403: return CollectorError(provider: provider, code: .unauthorized, "HTTP \(status): key missing, invalid or not allowed")
        case 500..<600: return CollectorError(provider: provider, code: .serverError, "HTTP \(status)")
        default: return CollectorError(provider: provider, code: .requestRejected, "HTTP \(status)")
        }
    }
}
