import Testing
@testable import Server

@Suite struct APIValidationTests {
    @Test(arguments: [
        ("0", Int64(0)),
        ("1764115200000", Int64(1_764_115_200_000)),
        ("2025-11-26T00:00:00Z", Int64(1_764_115_200_000)),
        ("2025-11-26T00:00:00.250Z", Int64(1_764_115_200_250)),
        ("2025-11-26T01:00:00+01:00", Int64(1_764_115_200_000)),
    ])
    func parsesUnixMillisAndISO8601(_ text: String, _ expected: Int64) {
        #expect(APIValidation.parseTime(text) == expected)
    }

    @Test(arguments: ["", "-5", "abc", "2025-13-01T00:00:00Z", "99999999999999999999", "1e12", "2025-11-26"])
    func rejectsOtherTimes(_ text: String) {
        #expect(APIValidation.parseTime(text) == nil)
    }

    @Test func identifiersAreLowerCaseSlugs() {
        #expect(APIValidation.isIdentifier("bitcoin"))
        #expect(APIValidation.isIdentifier("usd-coin"))
        #expect(!APIValidation.isIdentifier("Bitcoin"))
        #expect(!APIValidation.isIdentifier("../etc"))
        #expect(!APIValidation.isIdentifier(String(repeating: "a", count: 65)))
        #expect(!APIValidation.isIdentifier(""))
    }

    @Test func cursorTokensRoundTrip() throws {
        let cursor = TickCursor(sourceTimeMillis: 42, source: "binance")
        #expect(TickCursor(token: cursor.token) == cursor)
        #expect(TickCursor(token: "x~binance") == nil)
        #expect(TickCursor(token: "42~Bad Source") == nil)
    }
}
