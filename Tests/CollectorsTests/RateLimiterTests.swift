import Testing
@testable import Collectors

@Suite struct RateLimiterTests {
    @Test func grantsNeverExceedCapacityInAnyWindow() async throws {
        let limiter = RateLimiter(limit: RateLimit(capacity: 3, per: .milliseconds(300)), slack: .zero)
        let clock = ContinuousClock()
        let start = clock.now
        var grants: [Duration] = []
        for _ in 0..<9 {
            try await limiter.acquire()
            grants.append(clock.now - start)
        }
        for (index, grant) in grants.enumerated() {
            let inWindow = grants[index...].filter { $0 - grant < .milliseconds(300) }.count
            #expect(inWindow <= 3)
        }
        // Nine grants at three per window need at least two further windows.
        #expect(grants.last! >= .milliseconds(600))
    }

    @Test func weightedRequestsShareTheBudget() async throws {
        let limiter = RateLimiter(limit: RateLimit(capacity: 100, per: .milliseconds(400)), slack: .zero)
        let clock = ContinuousClock()
        let start = clock.now
        try await limiter.acquire(weight: 80)
        let secondWait = try await limiter.acquire(weight: 80)
        #expect(secondWait >= .milliseconds(350))
        #expect(clock.now - start >= .milliseconds(350))
    }

    @Test func pauseHoldsBackEveryAcquisition() async throws {
        let limiter = RateLimiter(limit: RateLimit(capacity: 100, per: .seconds(1)), slack: .zero)
        await limiter.pause(for: .milliseconds(300))
        let waited = try await limiter.acquire()
        #expect(waited >= .milliseconds(250))
    }

    @Test func cancellationEndsTheWait() async {
        let limiter = RateLimiter(limit: RateLimit(capacity: 1, per: .seconds(60)), slack: .zero)
        _ = try? await limiter.acquire()
        let task = Task { try await limiter.acquire() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
