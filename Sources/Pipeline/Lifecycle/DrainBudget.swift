import Foundation
import Synchronization

/// The time a stage may spend finishing its I/O once a stop reaches it, and the shield that
/// lets it use that time.
///
/// A graceful stop cancels the stages' tasks, and cancellation is exactly what must not reach
/// the last, most important I/O: the final lake commit, an S3 upload, a Kafka produce request.
/// `shielded` runs such work in a task of its own that the caller's cancellation does not
/// reach; once the caller is cancelled the work has `timeout` more to finish, or less if a
/// second stop signal asks to `hurry`. Then it is cancelled, and what it did not finish is the
/// stage's to keep (spill file, fallback table), never to drop.
public final class DrainBudget: Sendable {
    private struct State {
        var hurried = false
        var cancelling: [UUID: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())
    /// How long shielded work may go on after its caller was cancelled.
    public let timeout: Duration

    public init(timeout: Duration = .seconds(30)) {
        self.timeout = timeout
    }

    /// True once `hurry()` was called: stages still keep what they hold but stop sending it.
    public var isHurried: Bool { state.withLock { $0.hurried } }

    /// A second stop signal: cancels shielded work whose caller is stopping, now and from now on.
    public func hurry() {
        let cancels = state.withLock { state in
            state.hurried = true
            defer { state.cancelling.removeAll() }
            return Array(state.cancelling.values)
        }
        for cancel in cancels { cancel() }
    }

    /// Runs `operation` where the caller's cancellation does not reach it at once; returns its
    /// result, or its error (`CancellationError` when the budget ran out).
    public func shielded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let work = Task { try await operation() }
        let id = UUID()
        let timeout = self.timeout
        let timer = TimerBox()
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            // The stop reached the caller: from now on the work has `timeout` to finish.
            let alreadyHurried = state.withLock { state in
                if !state.hurried { state.cancelling[id] = { work.cancel() } }
                return state.hurried
            }
            if alreadyHurried {
                work.cancel()
            } else {
                timer.set(Task {
                    try await Task.sleep(for: timeout)
                    work.cancel()
                })
            }
        }
        timer.cancel()
        state.withLock { _ = $0.cancelling.removeValue(forKey: id) }
        return result
    }
}

/// The deadline task of one shielded call, set from a cancellation handler.
private final class TimerBox: Sendable {
    private let state = Mutex<(task: Task<Void, any Error>?, cancelled: Bool)>((nil, false))

    func set(_ newTask: Task<Void, any Error>) {
        let late = state.withLock { state in
            if !state.cancelled { state.task = newTask }
            return state.cancelled
        }
        if late { newTask.cancel() }
    }

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            return state.task
        }?.cancel()
    }
}
