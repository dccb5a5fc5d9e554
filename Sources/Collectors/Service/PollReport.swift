import CryptoVizCore

/// What one poll of one provider delivered, for callers (CLI counts, tests) and logs.
public struct PollReport: Sendable {
    public var provider: ProviderID
    public var tickCount: Int
    public var rejected: [String: Int]
    public var unresolved: [String: Int]
    public var unwatched: Int
    public var ignored: Int
    /// Set when the poll failed as a whole (no ticks).
    public var error: CollectorError?

    public init(provider: ProviderID, tickCount: Int = 0, rejected: [String: Int] = [:], unresolved: [String: Int] = [:],
                unwatched: Int = 0, ignored: Int = 0, error: CollectorError? = nil) {
        self.provider = provider
        self.tickCount = tickCount
        self.rejected = rejected
        self.unresolved = unresolved
        self.unwatched = unwatched
        self.ignored = ignored
        self.error = error
    }
}
