/// Runs lake management actions (compaction, vacuum, retention) one at a time, in arrival order.
///
/// Two compactions, or a compaction and a retention, racing on one table would remove the same
/// files: one loses the commit and retries, and after a few lost races the request fails. The
/// API may receive such actions concurrently (two dashboard tabs, a script, a fuzzer), so the
/// Server queues them instead; the pipeline's appends only add files and are not queued.
actor ManagementQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` once every earlier action has finished.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer { handOver() }
        return try await body()
    }

    /// Wakes the next waiter (which inherits `busy`), or marks the queue idle.
    private func handOver() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
