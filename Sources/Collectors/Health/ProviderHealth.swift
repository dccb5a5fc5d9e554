import CryptoVizCore

/// What the dashboard shows about one provider: is it delivering, and if not, why.
public struct ProviderHealth: Sendable, Hashable, Codable {
    public var provider: ProviderID
    public var enabled: Bool
    /// Why the provider does not run (e.g. "CMC_API_KEY not set"), when disabled.
    public var disabledReason: String?
    public var circuit: CircuitBreaker.State
    /// Polls that returned a usable response.
    public var successes: Int
    /// Failed polls by `CollectorError.Code` raw value.
    public var errorsByKind: [String: Int]
    /// Requests that had to wait for the rate limiter, and the total wait.
    public var rateLimitWaits: Int
    public var rateLimitWaitSeconds: Double
    /// Records refused by reason (`TickRejection.kind`).
    public var rejectedByReason: [String: Int]
    /// Records whose asset no directory rule could identify.
    public var unresolved: Int
    public var lastSuccessMillis: Int64?
    public var lastTickCount: Int
    public var lastError: String?
    public var lastErrorMillis: Int64?
    public var consecutiveFailures: Int
    /// Polls that answered with records but yielded no tick (unresolved identities, all
    /// rejected, none watched): the provider looks up but delivers nothing.
    public var emptyPolls: Int
    public var consecutiveEmptyPolls: Int
    /// Why the last empty poll delivered nothing, with counts.
    public var lastEmptyReason: String?
    /// Ticks not handed on because this collector had delivered the same observation (source,
    /// asset, source time) already: through the venue's other transport, or an earlier poll.
    public var repeatsDropped: Int

    public init(provider: ProviderID, enabled: Bool = true, disabledReason: String? = nil) {
        self.provider = provider
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.circuit = .closed
        self.successes = 0
        self.errorsByKind = [:]
        self.rateLimitWaits = 0
        self.rateLimitWaitSeconds = 0
        self.rejectedByReason = [:]
        self.unresolved = 0
        self.lastSuccessMillis = nil
        self.lastTickCount = 0
        self.lastError = nil
        self.lastErrorMillis = nil
        self.consecutiveFailures = 0
        self.emptyPolls = 0
        self.consecutiveEmptyPolls = 0
        self.lastEmptyReason = nil
        self.repeatsDropped = 0
    }

    enum CodingKeys: String, CodingKey {
        case provider, enabled, circuit, successes, unresolved
        case disabledReason = "disabled_reason"
        case errorsByKind = "errors_by_kind"
        case rateLimitWaits = "rate_limit_waits"
        case rateLimitWaitSeconds = "rate_limit_wait_seconds"
        case rejectedByReason = "rejected_by_reason"
        case lastSuccessMillis = "last_success_ms"
        case lastTickCount = "last_tick_count"
        case lastError = "last_error"
        case lastErrorMillis = "last_error_ms"
        case consecutiveFailures = "consecutive_failures"
        case emptyPolls = "empty_polls"
        case consecutiveEmptyPolls = "consecutive_empty_polls"
        case lastEmptyReason = "last_empty_reason"
        case repeatsDropped = "repeats_dropped"
    }
}
