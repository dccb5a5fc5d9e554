import Synchronization

/// Recent durations of the Server's calls into its `MarketDataSource`, per endpoint, for the
/// Performance view. Keeps the last `capacity` samples per name (bounded memory).
public final class QueryTimings: Sendable {
    private let samples = Mutex<[String: [Double]]>([:])
    private let capacity: Int

    public init(capacity: Int = 256) { self.capacity = capacity }

    /// Runs `body` and records its duration under `name`, also when it throws.
    func measure<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer {
            let elapsed = clock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            record(name, ms: ms)
        }
        return try await body()
    }

    func record(_ name: String, ms: Double) {
        samples.withLock { all in
            all[name, default: []].append(ms)
            if all[name]!.count > capacity { all[name]!.removeFirst(all[name]!.count - capacity) }
        }
    }

    /// Count, median, 95th percentile and maximum of the recent samples, per name.
    public func snapshot() -> [QueryTimingDTO] {
        samples.withLock { $0 }.sorted { $0.key < $1.key }.map { name, values in
            let sorted = values.sorted()
            func pick(_ p: Double) -> Double { sorted[Int((p * Double(sorted.count - 1)).rounded())] }
            return QueryTimingDTO(name: name, count: sorted.count, p50Ms: pick(0.5), p95Ms: pick(0.95), maxMs: sorted.last ?? 0)
        }
    }
}

/// Recent timing of one kind of query.
public struct QueryTimingDTO: Sendable, Codable, Hashable {
    public var name: String
    public var count: Int
    public var p50Ms: Double
    public var p95Ms: Double
    public var maxMs: Double
}
