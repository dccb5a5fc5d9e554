import Foundation
import Synchronization

/// Runs blocking work (waiting on a child process) on a thread of its own, so it never holds
/// one of Swift's few cooperative-pool threads: two slow queries used to stall `/healthz`
/// and lake commits for their whole duration (issue #12, row 4).
enum DedicatedThread {
    /// `work` on a new thread; cancelling the calling task sets the flag `work` receives.
    static func run<T: Sendable>(_ work: @escaping @Sendable (_ isCancelled: @escaping @Sendable () -> Bool) -> T) async -> T {
        let cancelled = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: work { cancelled.isSet }) }
                thread.name = "cryptoviz.sql"
                thread.start()
            }
        } onCancel: {
            cancelled.set()
        }
    }
}

/// A flag set once from any thread.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
