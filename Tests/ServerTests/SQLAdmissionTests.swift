import Testing
@testable import Server

/// At most `maxRunning` bodies run, `maxWaiting` more wait their turn, the rest are refused.
@Suite struct SQLAdmissionTests {
    @Test func runsTwoQueuesTwoAndRefusesTheRest() async throws {
        let admission = SQLAdmission(maxRunning: 2, maxWaiting: 2)
        let release = CancellationFlag()
        let (started, startedInput) = AsyncStream<Int>.makeStream()
        let tasks = (0..<4).map { index in
            Task {
                try await admission.run {
                    startedInput.yield(index)
                    while !release.isSet { try await Task.sleep(for: .milliseconds(5)) }
                    return index
                }
            }
        }
        var iterator = started.makeAsyncIterator()
        #expect(await iterator.next() != nil)
        #expect(await iterator.next() != nil)
        for _ in 0..<400 where admission.waiting < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(admission.waiting == 2)
        await #expect(throws: MarketDataError.self) { try await admission.run { 0 } }
        release.set()
        var finished: [Int] = []
        for task in tasks { finished.append(try await task.value) }
        #expect(finished.sorted() == [0, 1, 2, 3])
        #expect(admission.waiting == 0)
        #expect(try await admission.run { 7 } == 7)
    }
}
