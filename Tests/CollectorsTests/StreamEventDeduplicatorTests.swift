import Testing
@testable import Collectors

@Suite struct StreamEventDeduplicatorTests {
    @Test func tradeIdsAreAdmittedOncePerPair() {
        var dedupe = StreamEventDeduplicator(window: 100)
        let r1 = dedupe.admitTrade(pair: "BTCUSDT", id: 5)
        #expect(r1)
        let r2 = dedupe.admitTrade(pair: "BTCUSDT", id: 5)
        #expect(!r2)
        let r3 = dedupe.admitTrade(pair: "ETHUSDT", id: 5)
        #expect(r3)
        // A repaired gap may arrive after newer ids: older unseen ids still pass.
        let r4 = dedupe.admitTrade(pair: "BTCUSDT", id: 3)
        #expect(r4)
    }

    @Test func windowForgetsOldestIdsOnly() {
        var dedupe = StreamEventDeduplicator(window: 3)
        for id in 1...3 { let r5 = dedupe.admitTrade(pair: "P", id: Int64(id)); #expect(r5) }
        let r6 = dedupe.admitTrade(pair: "P", id: 4)
        #expect(r6)
        let r7 = dedupe.admitTrade(pair: "P", id: 1)
        #expect(r7)
        let r8 = dedupe.admitTrade(pair: "P", id: 4)
        #expect(!r8)
    }

    @Test func latestPerSeriesDropsRepeatsAndOlderEvents() {
        var dedupe = StreamEventDeduplicator(window: 10)
        let r9 = dedupe.admitLatest(series: "q|BTC", eventTime: 100)
        #expect(r9)
        let r10 = dedupe.admitLatest(series: "q|BTC", eventTime: 100)
        #expect(!r10)
        let r11 = dedupe.admitLatest(series: "q|BTC", eventTime: 99)
        #expect(!r11)
        let r12 = dedupe.admitLatest(series: "q|ETH", eventTime: 100)
        #expect(r12)
        let r13 = dedupe.admitLatest(series: "q|BTC", eventTime: 101)
        #expect(r13)
    }
}
