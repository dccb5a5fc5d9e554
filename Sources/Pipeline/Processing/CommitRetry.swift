/// How a writer of a table beside the ticks (the live rollup's candles, the streamed trades)
/// commits: each attempt bounded by `timeout`, a failed one tried again after `retryDelay`,
/// doubling up to `maxRetryDelay`, back to `retryDelay` once one lands. The tick path never
/// waits for it beyond one attempt.
public struct CommitRetry: Sendable {
    /// A commit that has not finished after this long counts as failed.
    public var timeout: Duration = .seconds(15)
    /// Delay before the next attempt after a failure; doubles up to `maxRetryDelay`.
    public var retryDelay: Duration = .seconds(1)
    public var maxRetryDelay: Duration = .seconds(30)
    public init() {}
}

/// One writer's retry state under its `CommitRetry`.
struct CommitBackoff: Sendable {
    let policy: CommitRetry
    /// When the next attempt may start after a failure; nil while commits land.
    private(set) var retryAt: ContinuousClock.Instant?
    private var delay: Duration

    init(_ policy: CommitRetry) {
        self.policy = policy
        delay = policy.retryDelay
    }

    /// The last commit failed (and none landed since).
    var failing: Bool { retryAt != nil }

    /// The last commit failed and its pause is not over.
    var waiting: Bool { retryAt.map { ContinuousClock.now < $0 } ?? false }

    /// Records a failed commit; returns the pause before the next attempt.
    mutating func failed() -> Duration {
        let pause = delay
        retryAt = .now + pause
        delay = min(delay * 2, policy.maxRetryDelay)
        return pause
    }

    mutating func succeeded() {
        retryAt = nil
        delay = policy.retryDelay
    }
}
