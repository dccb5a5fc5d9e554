import Testing
@testable import Collectors

@Suite struct CollectorErrorTests {
    @Test func descriptionNamesProvider() {
        #expect(CollectorError(provider: .binance, "HTTP 451").description == "binance: HTTP 451")
    }
}
