import CryptoVizCore
import Synchronization

/// Ticks waiting for the alert engine, taken as one batch: the feed never waits on the engine,
/// and a burst costs one evaluation pass and one state save rather than one per tick.
final class TickInbox: Sendable {
    private let waiting = Mutex<[Tick]>([])
    /// One pending wake-up at most: the reader takes everything when it wakes.
    let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Beyond this many waiting ticks the oldest are dropped, like every live subscriber's buffer.
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        (wakeUps, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ tick: Tick) {
        waiting.withLock { ticks in
            if ticks.count >= capacity { ticks.removeFirst(ticks.count - capacity + 1) }
            ticks.append(tick)
        }
        wake.yield()
    }

    func take() -> [Tick] {
        waiting.withLock { ticks in
            defer { ticks.removeAll(keepingCapacity: true) }
            return ticks
        }
    }

    func finish() { wake.finish() }
}
