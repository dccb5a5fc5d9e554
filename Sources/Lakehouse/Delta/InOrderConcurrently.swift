/// Runs `work(i)` for `0..<count` with at most `width` running at once, and hands each result
/// to `body` in index order as soon as it and all before it are done: scans read files
/// concurrently yet deliver them in file order, holding at most `width` results back.
func inOrderConcurrently<T: Sendable>(count: Int, width: Int, _ work: @escaping @Sendable (Int) async throws -> T,
                                      _ body: (Int, T) throws -> Void) async throws {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var next = 0
        var ready: [Int: T] = [:]
        var emitted = 0
        func launch() {
            let i = next
            group.addTask { (i, try await work(i)) }
            next += 1
        }
        while next < min(max(1, width), count) { launch() }
        while let (i, result) = try await group.next() {
            ready[i] = result
            while let done = ready.removeValue(forKey: emitted) {
                try body(emitted, done)
                emitted += 1
            }
            if next < count { launch() }
        }
    }
}
