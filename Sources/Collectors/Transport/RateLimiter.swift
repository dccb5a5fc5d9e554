/// A sliding-window limiter: grants at most `limit.capacity` weight in any window of
/// `limit.window + slack`, and can be paused when a provider says "retry after".
///
/// Sliding rather than token bucket because a bucket lets a full burst plus its refill
/// through within one window, which a provider counting per window would answer with 429.
/// `slack` widens the window so that network jitter cannot move two sends that were one
/// window apart here into a single window at the server.
public actor RateLimiter {
    public let limit: RateLimit
    public let slack: Duration
    private var grants: [(at: ContinuousClock.Instant, weight: Int)] = []
    private var usedWeight = 0
    private var pausedUntil: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    public init(limit: RateLimit, slack: Duration = .milliseconds(250)) {
        self.limit = limit
        self.slack = slack
    }

    /// Waits until `weight` fits in the window (and any pause is over), then takes it.
    /// Returns how long the caller waited. Throws `CancellationError` when cancelled.
    @discardableResult
    public func acquire(weight: Int = 1) async throws -> Duration {
        let start = clock.now
        let weight = min(max(1, weight), limit.capacity)
        let span = limit.window + slack
        while true {
            try Task.checkCancellation()
            let now = clock.now
            if let pausedUntil, pausedUntil > now {
                try await Task.sleep(until: pausedUntil, clock: clock)
                continue
            }
            prune(now: now, span: span)
            if usedWeight + weight <= limit.capacity {
                grants.append((now, weight))
                usedWeight += weight
                return now - start
            }
            var excess = usedWeight + weight - limit.capacity
            var release = now
            for grant in grants {
                excess -= grant.weight
                release = grant.at + span
                if excess <= 0 { break }
            }
            try await Task.sleep(until: release, clock: clock)
        }
    }

    /// Blocks every acquisition for `duration` (e.g. a `Retry-After`); never shortens a pause.
    public func pause(for duration: Duration) {
        let until = clock.now + duration
        if let pausedUntil, pausedUntil >= until { return }
        pausedUntil = until
    }

    /// Remaining pause, zero when not paused.
    public func remainingPause() -> Duration {
        guard let pausedUntil else { return .zero }
        let now = clock.now
        return pausedUntil > now ? pausedUntil - now : .zero
    }

    private func prune(now: ContinuousClock.Instant, span: Duration) {
        var drop = 0
        while drop < grants.count, grants[drop].at + span <= now {
            usedWeight -= grants[drop].weight
            drop += 1
        }
        if drop > 0 { grants.removeFirst(drop) }
    }
}
