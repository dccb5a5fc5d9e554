import Testing

@testable import ObjectStore

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        (Int64(0), "19700101T000000Z"), (1_700_000_000_000, "20231114T221320Z"), (951_782_400_000, "20000229T000000Z"),
        (-86_400_000, "19691231T000000Z"), (4_102_444_799_999, "20991231T235959Z"),
    ])
    func formatsAmzDates(_ millis: Int64, _ expected: String) {
        let time = UTCTimestamp(unixMillis: millis)
        #expect(time.amzDate == expected)
        #expect(time.unixMillis == millis)
    }

    @Test func parsesTheDatesS3Returns() {
        #expect(UTCTimestamp(iso8601: "2023-11-14T22:13:20.000Z")?.unixMillis == 1_700_000_000_000)
        #expect(UTCTimestamp(iso8601: "2023-11-14T22:13:20.25Z")?.unixMillis == 1_700_000_000_250)
        #expect(UTCTimestamp(iso8601: "2023-11-14T22:13:20Z")?.unixMillis == 1_700_000_000_000)
        #expect(UTCTimestamp(httpDate: "Tue, 14 Nov 2023 22:13:20 GMT")?.unixMillis == 1_700_000_000_000)
        for bad in ["", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20", "2023-11-14T22:13:20.000+01:00", "garbage-text-here-xx"] {
            #expect(UTCTimestamp(iso8601: bad) == nil)
        }
        #expect(UTCTimestamp(httpDate: "Tue, 14 Foo 2023 22:13:20 GMT") == nil)
    }
}
