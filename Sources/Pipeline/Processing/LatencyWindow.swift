/// The last `capacity` latency samples, for p50/p95 figures on the dashboard and in benchmarks.
public struct LatencyWindow: Sendable {
    public let capacity: Int
    private var samples: [Int64] = []
    private var next = 0

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    public mutating func add(_ millis: Int64) {
        if samples.count < capacity {
            samples.append(millis)
        } else {
            samples[next] = millis
            next = (next + 1) % capacity
        }
    }

    /// The `q` quantile (0...1) by nearest rank, or nil with no samples.
    public func quantile(_ q: Double) -> Int64? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    public var count: Int { samples.count }
}
