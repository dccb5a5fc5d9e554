import Synchronization

/// Bounds how many SQL queries run at once and how many wait; past both, a query is refused
/// at once (`MarketDataError.busy`, HTTP 429) instead of piling up processes on the machine.
final class SQLAdmission: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    let maxRunning: Int
    let maxWaiting: Int
    private let state = Mutex(State())

    init(maxRunning: Int, maxWaiting: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxWaiting = max(0, maxWaiting)
    }

    /// Queries waiting for a slot now.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Runs `body` once a slot is free; waits in line while the queue has room.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async throws {
        // Decided and queued under one lock hold, so a `leave` cannot slip in between; a
        // queued continuation is resumed by `leave`, which hands its slot over.
        let admitted: Bool = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decision = state.withLock { state -> Bool? in
                if state.running < maxRunning {
                    state.running += 1
                    return true
                }
                guard state.waiting.count < maxWaiting else { return false }
                state.waiting.append(continuation)
                return nil
            }
            if let decision { continuation.resume(returning: decision) }
        }
        guard admitted else {
            throw MarketDataError(.busy, "too many SQL queries are running (\(maxRunning) at a time, \(maxWaiting) waiting); retry shortly")
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
