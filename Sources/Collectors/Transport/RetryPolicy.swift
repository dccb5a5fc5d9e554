/// Bounded retries with exponential backoff and full jitter.
///
/// Full jitter (a uniform delay in [0, min(cap, base·2ⁿ))) spreads retries of many clients
/// apart instead of synchronising them; a provider's `Retry-After` is a floor on the delay.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts per request, including the first.
    public var maxAttempts: Int = 3
    public var baseDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(8)
    /// A `Retry-After` longer than this is not waited out inside the poll: the request fails
    /// and the paused rate limiter holds the next poll back instead.
    public var maxRetryAfter: Duration = .seconds(30)

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
                maxRetryAfter: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The jittered delay before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(0, attempt - 1), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let ceilingMillis = max(1, ceiling.wholeMilliseconds)
        return .milliseconds(Int64.random(in: 0..<ceilingMillis))
    }
}

extension Duration {
    /// Whole milliseconds, truncated.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number, for metrics and health.
    var secondsValue: Double { Double(wholeMilliseconds) / 1000 }
}
