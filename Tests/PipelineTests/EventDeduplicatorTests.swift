import CryptoVizCore
import Testing
@testable import Pipeline

@Suite struct EventDeduplicatorTests {
    func id(_ n: Int64) -> EventID { EventID(source: .coinGecko, asset: "bitcoin", sourceTimeMillis: n) }

    @Test func dropsRepeatedEvents() {
        var dedupe = EventDeduplicator()
        let first = dedupe.insert(id(1))
        let again = dedupe.insert(id(1))
        let otherSource = dedupe.insert(EventID(source: .binance, asset: "bitcoin", sourceTimeMillis: 1))
        #expect(first && !again && otherSource)
    }

    @Test func forgetsOldestBeyondCapacity() {
        var dedupe = EventDeduplicator(capacity: 3)
        var accepted = 0
        for n in 0..<10 where dedupe.insert(id(Int64(n))) { accepted += 1 }
        #expect(accepted == 10)
        #expect(dedupe.count == 3)
        let newest = dedupe.insert(id(9))
        let forgotten = dedupe.insert(id(0))
        #expect(!newest, "still remembered")
        #expect(forgotten, "forgotten, so accepted again")
    }
}
