import Synchronization

/// Hands alert events to any number of live subscribers, each with its own bounded buffer, so
/// a stalled browser tab loses its oldest events instead of slowing the engine.
final class AlertFanout: Sendable {
    private let subscribers = Mutex<(next: Int, all: [Int: AsyncStream<AlertEvent>.Continuation])>((0, [:]))

    func subscribe(buffer: Int) -> AsyncStream<AlertEvent> {
        let (stream, continuation) = AsyncStream<AlertEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = subscribers.withLock { state -> Int in
            let id = state.next
            state.next += 1
            state.all[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.all.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ events: [AlertEvent]) {
        let targets = subscribers.withLock { Array($0.all.values) }
        for continuation in targets { for event in events { continuation.yield(event) } }
    }

    var count: Int { subscribers.withLock { $0.all.count } }
}
