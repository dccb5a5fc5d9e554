import Testing
@testable import Collectors

@Suite struct PollScheduleTests {
    @Test func firesOnTheIntervalGridWhateverThePollDuration() {
        let schedule = PollSchedule(interval: .seconds(30))
        #expect(schedule.nextFire(afterUnixMillis: 1_700_000_000_000) == 1_700_000_010_000)
        #expect(schedule.nextFire(afterUnixMillis: 1_700_000_010_000) == 1_700_000_040_000)
        #expect(schedule.nextFire(afterUnixMillis: 1_700_000_039_999) == 1_700_000_040_000)
    }
}
