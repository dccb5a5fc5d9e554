import Testing
@testable import Collectors

@Suite struct StreamEventDeduplicatorTests {
    @Test func tradeIdsAreAdmittedOncePerPair() {
        var dedupe = StreamEventDeduplicator(window: 100)
        #expect(dedupe.admitTrade(pair: "BTCUSDT", id: 5))
        #expect(!dedupe.admitTrade(pair: "BTCUSDT", id: 5))
        #expect(dedupe.admitTrade(pair: "ETHUSDT", id: 5))
        // A repaired gap may arrive after newer ids: older unseen ids still pass.
        #expect(dedupe.admitTrade(pair: "BTCUSDT", id: 3))
    }

    @Test func windowForgetsOldestIdsOnly() {
        var dedupe = StreamEventDeduplicator(window: 3)
        for id in 1...3 { #expect(dedupe.admitTrade(pair: "P", id: Int64(id))) }
        #expect(dedupe.admitTrade(pair: "P", id: 4))
        #expect(dedupe.admitTrade(pair: "P", id: 1))
        #expect(!dedupe.admitTrade(pair: "P", id: 4))
    }

    @Test func latestPerSeriesDropsRepeatsAndOlderEvents() {
        var dedupe = StreamEventDeduplicator(window: 10)
        #expect(dedupe.admitLatest(series: "q|BTC", eventTime: 100))
        #expect(!dedupe.admitLatest(series: "q|BTC", eventTime: 100))
        #expect(!dedupe.admitLatest(series: "q|BTC", eventTime: 99))
        #expect(dedupe.admitLatest(series: "q|ETH", eventTime: 100))
        #expect(dedupe.admitLatest(series: "q|BTC", eventTime: 101))
    }
}
