import Testing
@testable import Alerts

@Suite struct QuietHoursTests {
    @Test func containsHandlesWrappingIntervals() {
        let night = QuietHours(startMinute: 22 * 60, endMinute: 6 * 60)
        #expect(night.contains(millis: t0))  // 00:00
        #expect(night.contains(millis: t0 + 22 * 3_600_000))
        #expect(!night.contains(millis: t0 + 6 * 3_600_000))  // end is exclusive
        #expect(!night.contains(millis: t0 + 12 * 3_600_000))
        let lunch = QuietHours(startMinute: 12 * 60, endMinute: 13 * 60)
        #expect(lunch.contains(millis: t0 + 12 * 3_600_000 + 59 * 60_000))
        #expect(!lunch.contains(millis: t0 + 11 * 3_600_000))
    }
}
