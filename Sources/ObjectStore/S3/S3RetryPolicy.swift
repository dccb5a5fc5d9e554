/// When and how long to wait before retrying a failed S3 request.
///
/// Throttling (503 SlowDown, 429), other 5xx answers and connection errors are retried with
/// exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"); 4xx answers other than throttling are not, because repeating them cannot help.
public struct S3RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included; 1 disables retries.
    public var maxAttempts: Int
    /// The cap of the first retry's random delay; doubled for each later retry.
    public var baseDelayMillis: Int
    /// No retry waits longer than this.
    public var maxDelayMillis: Int

    public init(maxAttempts: Int = 5, baseDelayMillis: Int = 100, maxDelayMillis: Int = 5_000) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelayMillis = max(0, baseDelayMillis)
        self.maxDelayMillis = max(0, maxDelayMillis)
    }

    /// The random delay before retry number `retry` (1 for the first retry).
    func delayMillis(beforeRetry retry: Int) -> Int {
        let exponent = min(max(retry - 1, 0), 20)
        let cap = min(maxDelayMillis, baseDelayMillis << exponent)
        return cap > 0 ? Int.random(in: 0...cap) : 0
    }
}
