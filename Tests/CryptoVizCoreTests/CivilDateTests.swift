import Testing
@testable import CryptoVizCore

@Suite struct CivilDateTests {
    @Test func epochIsFirstOfJanuary1970() {
        #expect(CivilDate(unixMillis: 0) == CivilDate(year: 1970, month: 1, day: 1))
    }

    @Test func lastMillisecondBeforeEpochIsPreviousDay() {
        #expect(CivilDate(unixMillis: -1) == CivilDate(year: 1969, month: 12, day: 31))
    }

    @Test(arguments: [
        (Int64(951_782_400_000), "2000-02-29"),
        (Int64(1_709_164_800_000), "2024-02-29"),
        (Int64(1_735_689_599_999), "2024-12-31"),
        (Int64(4_102_444_800_000), "2100-01-01"),
    ])
    func knownInstantsMapToTheirDates(millis: Int64, iso: String) {
        #expect(CivilDate(unixMillis: millis).description == iso)
    }

    @Test func daysSinceEpochRoundTripsOverFourCenturies() {
        for days in stride(from: -146_097, through: 146_097 * 2, by: 7) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
    }

    @Test func parsesIsoDatesAndRejectsImpossibleOnes() {
        #expect(CivilDate(iso: "2024-02-29") == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(iso: "2023-02-29") == nil)
        #expect(CivilDate(iso: "2023-13-01") == nil)
        #expect(CivilDate(iso: "23-01-01") == nil)
        #expect(CivilDate(iso: "") == nil)
    }
}
