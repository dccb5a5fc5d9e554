/// Stops polling a provider that keeps failing, then probes it again after a cool-down.
///
/// Closed → (after `failureThreshold` consecutive failed polls) open → (after `cooldown`)
/// half-open: one poll is let through; success closes, failure re-opens. Each provider has
/// its own breaker, so a dead provider costs nothing to the others.
public actor CircuitBreaker {
    /// Thresholds, with defaults suited to 30 s polling.
    public struct Configuration: Sendable, Hashable {
        public var failureThreshold: Int = 5
        public var cooldown: Duration = .seconds(60)
        public init(failureThreshold: Int = 5, cooldown: Duration = .seconds(60)) {
            self.failureThreshold = max(1, failureThreshold)
            self.cooldown = cooldown
        }
    }

    /// The breaker's position.
    public enum State: String, Sendable, Hashable, Codable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    private var consecutiveFailures = 0
    private var openedAt: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether a poll may go ahead now; moves open → half-open once the cool-down is over.
    public func permit() -> Bool {
        switch state {
        case .closed, .halfOpen:
            return true
        case .open:
            guard let openedAt, clock.now - openedAt >= configuration.cooldown else { return false }
            state = .halfOpen
            return true
        }
    }

    public func recordSuccess() {
        consecutiveFailures = 0
        state = .closed
        openedAt = nil
    }

    public func recordFailure() {
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= configuration.failureThreshold {
            state = .open
            openedAt = clock.now
        }
    }
}
