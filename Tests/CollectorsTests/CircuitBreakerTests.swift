import Testing
@testable import Collectors

@Suite struct CircuitBreakerTests {
    @Test func opensAfterThresholdAndProbesAfterCooldown() async throws {
        let breaker = CircuitBreaker(configuration: .init(failureThreshold: 2, cooldown: .milliseconds(200)))
        #expect(await breaker.permit())
        await breaker.recordFailure()
        #expect(await breaker.state == .closed)
        await breaker.recordFailure()
        #expect(await breaker.state == .open)
        #expect(await !breaker.permit())
        try await Task.sleep(for: .milliseconds(250))
        #expect(await breaker.permit())
        #expect(await breaker.state == .halfOpen)
        await breaker.recordFailure()
        #expect(await breaker.state == .open)
        try await Task.sleep(for: .milliseconds(250))
        #expect(await breaker.permit())
        await breaker.recordSuccess()
        #expect(await breaker.state == .closed)
    }
}
