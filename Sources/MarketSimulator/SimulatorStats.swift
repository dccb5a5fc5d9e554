/// What the simulator saw per provider, so tests can prove rate-limit compliance.
public struct SimulatorStats: Sendable, Codable {
    /// Per provider name.
    public var providers: [String: ProviderStats]

    /// Requests one provider received.
    public struct ProviderStats: Sendable, Codable {
        public var requests: Int = 0
        /// Responses by HTTP status.
        public var statuses: [String: Int] = [:]
        /// Arrival of every request, in milliseconds since the simulator started, with its weight.
        public var arrivalsMillis: [Double] = []
        public var weights: [Int] = []
        /// The configured limit.
        public var limit: SimulatedRateLimit?
        /// The most weight seen in any window of the configured length (all arrivals count,
        /// including those answered 429).
        public var maxWeightInWindow: Int = 0

        /// The most weight that arrived within any span of `windowSeconds`.
        public func maxWeight(inAnyWindowOf windowSeconds: Double) -> Int {
            var best = 0, sum = 0, start = 0
            let span = windowSeconds * 1000
            for end in arrivalsMillis.indices {
                sum += weights[end]
                while arrivalsMillis[end] - arrivalsMillis[start] >= span {
                    sum -= weights[start]
                    start += 1
                }
                best = max(best, sum)
            }
            return best
        }
    }
}
