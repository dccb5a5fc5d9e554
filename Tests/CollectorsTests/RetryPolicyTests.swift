import Testing
@testable import Collectors

@Suite struct RetryPolicyTests {
    @Test func fullJitterStaysBelowTheExponentialCeiling() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1000))
        for attempt in 1...8 {
            let ceiling = min(1000, 100 << (attempt - 1))
            let delays = (0..<200).map { _ in policy.backoff(afterAttempt: attempt) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 < .milliseconds(ceiling) })
            // Jitter: not one fixed value.
            #expect(Set(delays).count > 1)
        }
    }
}
