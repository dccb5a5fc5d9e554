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
/// stage's to keep (spill file, fallback table), never to drop. Work that ignores its
/// cancellation is abandoned after `grace`: a stop must end even if a client library hangs.
public final class DrainBudget: Sendable {
    private struct State {
        var hurried = false
        var stopping: [UUID: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())
    /// How long shielded work may go on after its caller was cancelled.
    public let timeout: Duration
    /// How long cancelled work may take to give up before it is abandoned.
    public let grace: Duration

    public init(timeout: Duration = .seconds(30), grace: Duration = .seconds(2)) {
        self.timeout = timeout
        self.grace = grace
    }

    /// True once `hurry()` was called: stages still keep what they hold but stop sending it.
    public var isHurried: Bool { state.withLock { $0.hurried } }

    /// A second stop signal: ends shielded work whose caller is stopping, now and from now on.
    public func hurry() {
        let ends = state.withLock { state in
            state.hurried = true
            defer { state.stopping.removeAll() }
            return Array(state.stopping.values)
        }
        for end in ends { end() }
    }

    /// Runs `operation` where the caller's cancellation does not reach it at once; returns its
    /// result, or its error (`CancellationError` when the budget ran out).
    public func shielded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let work = Task { try await operation() }
        let outcome = Outcome<T>()
        let timers = TimerBox()
        let id = UUID()
        let (timeout, grace) = (self.timeout, self.grace)
        /// Cancels the work after `delay`, and gives up on it `grace` later.
        let end: @Sendable (Duration) -> Void = { delay in
            let timer = Task {
                if delay > .zero { try await Task.sleep(for: delay) }
                work.cancel()
                try await Task.sleep(for: grace)
                outcome.resolve(.failure(CancellationError()))
            }
            timers.add { timer.cancel() }
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                outcome.attach(continuation)
                let waiter = Task { outcome.resolve(await work.result) }
                timers.add { waiter.cancel() }
            }
        } onCancel: {
            // The stop reached the caller: from now on the work has `timeout` to finish.
            let hurried = state.withLock { state in
                if !state.hurried { state.stopping[id] = { end(.zero) } }
                return state.hurried
            }
            end(hurried ? .zero : timeout)
        }
        timers.cancelAll()
        state.withLock { _ = $0.stopping.removeValue(forKey: id) }
        return result
    }
}

/// The first result of a shielded call (the work's, or the budget's end), delivered once.
private final class Outcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, any Error>, Never>?
        var result: Result<T, any Error>?
        var delivered = false
    }
    private let state = Mutex(State())

    func attach(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            guard let result = state.result else {
                state.continuation = continuation
                return nil
            }
            state.delivered = true
            return result
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func resolve(_ result: Result<T, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<Result<T, any Error>, Never>? in
            guard !state.delivered, state.result == nil else { return nil }
            guard let continuation = state.continuation else {
                state.result = result
                return nil
            }
            state.delivered = true
            state.continuation = nil
            return continuation
        }
        waiting?.resume(returning: result)
    }
}

/// The helper tasks of one shielded call, cancelled when it returns.
private final class TimerBox: Sendable {
    private let state = Mutex<(cancels: [@Sendable () -> Void], done: Bool)>(([], false))

    func add(_ cancel: @escaping @Sendable () -> Void) {
        let late = state.withLock { state in
            if !state.done { state.cancels.append(cancel) }
            return state.done
        }
        if late { cancel() }
    }

    func cancelAll() {
        state.withLock { state in
            state.done = true
            defer { state.cancels.removeAll() }
            return state.cancels
        }.forEach { $0() }
    }
}
