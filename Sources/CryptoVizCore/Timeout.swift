/// What `withTimeout` throws when the operation has not finished in time.
public struct TimeoutError: Error, CustomStringConvertible {
    public let timeout: Duration
    public var description: String { "no answer within \(timeout)" }
}

/// Runs `operation`, throwing `TimeoutError` (and cancelling it) if it has not finished after
/// `timeout`.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimeoutError(timeout: timeout)
        }
        return value
    }
}
