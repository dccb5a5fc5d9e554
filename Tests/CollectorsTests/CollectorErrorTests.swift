import Testing
@testable import Collectors

@Suite struct CollectorErrorTests {
    @Test func descriptionNamesProviderAndCode() {
        let error = CollectorError(provider: .binance, code: .unavailableFromLocation, "HTTP 451")
        #expect(error.description == "binance: unavailable_from_location: HTTP 451")
    }

    @Test(arguments: [
        (CollectorError.Code.timeout, true), (.connection, true), (.serverError, true), (.rateLimited, true),
        (.banned, false), (.unavailableFromLocation, false), (.unauthorized, false), (.quotaExhausted, false),
        (.malformedBody, false), (.requestRejected, false),
    ])
    func onlyTransientFailuresAreRetryable(code: CollectorError.Code, retryable: Bool) {
        #expect(CollectorError(provider: .coinGecko, code: code, "x").isRetryable == retryable)
    }
}
