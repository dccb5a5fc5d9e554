import CryptoVizCore
import Synchronization
import Testing

@Suite struct TimeoutTests {
    @Test func aQuickOperationReturnsItsValue() async throws {
        let value = try await withTimeout(.seconds(30)) { 42 }
        #expect(value == 42)
    }

    @Test func aSlowOperationIsCancelledAndTimesOut() async throws {
        let cancelled = Mutex(false)
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(50)) {
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch is CancellationError {
                    cancelled.withLock { $0 = true }
                    throw CancellationError()
                }
            }
        }
        #expect(cancelled.withLock { $0 })
    }

    @Test func theOperationsErrorComesThrough() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withTimeout(.seconds(30)) { () async throws -> Int in throw Boom() }
        }
    }
}
