import Testing
@testable import Collectors

@Suite struct ISO8601MillisTests {
    @Test(arguments: [
        ("2024-04-07T16:49:31.736Z", Int64(1_712_508_571_736)),
        ("2024-04-07T16:49:31Z", 1_712_508_571_000),
        ("2024-04-07T16:49:31.7Z", 1_712_508_571_700),
        ("2024-04-07T16:49:31.123456Z", 1_712_508_571_123),
        ("2024-04-07T16:49:31.000+00:00", 1_712_508_571_000),
        ("1970-01-01T00:00:00.000Z", 0),
    ])
    func parsesUTCForms(text: String, millis: Int64) {
        #expect(ISO8601Millis.parse(text) == millis)
    }

    @Test(arguments: ["", "2024-04-07", "2024-04-07T16:49Z", "2024-02-30T00:00:00Z", "2024-04-07T16:49:31+02:00",
                      "2024-04-07T25:00:00Z", "2024-04-07T16:49:31.Z", "yesterday at noon!!"])
    func refusesAnythingElse(text: String) {
        #expect(ISO8601Millis.parse(text) == nil)
    }
}
