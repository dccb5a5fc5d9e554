import CryptoVizCore
import Synchronization

/// Fans new ticks out to any number of subscribers, each with its own bounded buffer.
///
/// A slow subscriber (a stalled browser tab) loses its oldest ticks rather than growing memory
/// or slowing the publisher: `bufferingNewest(capacity)`.
public final class LiveTickFeed: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<Tick>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let capacity: Int

    /// - Parameter capacity: ticks buffered per subscriber before the oldest are dropped.
    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// A new subscription; it unregisters itself when its consumer stops.
    public func subscribe() -> AsyncStream<Tick> {
        let (stream, continuation) = AsyncStream<Tick>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `ticks` to every current subscriber.
    public func publish(_ ticks: [Tick]) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets {
            for tick in ticks { continuation.yield(tick) }
        }
    }

    /// Ends every subscription (on shutdown), so SSE responses complete.
    public func finishAll() {
        let targets = subscribers.withLock { current -> [AsyncStream<Tick>.Continuation] in
            defer { current.removeAll() }
            return Array(current.values)
        }
        for continuation in targets { continuation.finish() }
    }

    /// How many subscribers are attached (for tests and metrics).
    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
