import Testing
@testable import MarketSimulator

/// The simulated past is a pure function of (seed, asset, minute), anchored on the live price.
struct PriceHistoryTests {
    static let anchor: Int64 = 1_764_000_000_000  // 2025-11-24T16:00:00Z, a minute boundary + 0 s
    static func history(_ configure: (inout SimulatorConfiguration.History) -> Void = { _ in }) -> PriceHistory {
        var settings = SimulatorConfiguration.History()
        configure(&settings)
        return PriceHistory(universe: SimulatedUniverse(count: 50, seed: 7), seed: 7, anchorMillis: anchor + 17_000, history: settings)
    }

    @Test func pagesInAnyOrderGiveTheSameBars() {
        let history = Self.history()
        let start = Self.anchor / 60_000 - 5000
        let whole = history.minuteBars(asset: 4, minutes: start..<(start + 3000))
        let pieces = history.minuteBars(asset: 4, minutes: (start + 1700)..<(start + 3000))
            + history.minuteBars(asset: 4, minutes: start..<(start + 1700))
        #expect(whole.count == 3000)
        #expect(Set(whole) == Set(pieces))
        #expect(Self.history().minuteBars(asset: 4, minutes: start..<(start + 3000)) == whole)
    }

    @Test func barsJoinAndTheAnchorMinuteOpensAtTheLivePrice() {
        let history = Self.history()
        let universe = SimulatedUniverse(count: 50, seed: 7)
        for asset in [0, 1, 9, 33] {
            let anchorMinute = history.anchorMinute
            let bars = history.minuteBars(asset: asset, minutes: (anchorMinute - 2000)..<(anchorMinute + 10))
            #expect(bars.count == 2010)
            for (a, b) in zip(bars, bars.dropFirst()) {
                #expect(a.close == b.open)
                #expect(b.openTimeMillis - a.openTimeMillis == 60_000)
            }
            for bar in bars {
                #expect(bar.low <= min(bar.open, bar.close) && bar.high >= max(bar.open, bar.close) && bar.low > 0)
                #expect(bar.volume > 0 && bar.quoteVolume > 0 && bar.trades > 0)
            }
            let atAnchor = bars[2000]
            #expect(atAnchor.openTimeMillis == anchorMinute * 60_000)
            let initial = universe.assets[asset].initialPrice
            #expect(abs(atAnchor.open / initial - 1) < 1e-9)
        }
    }

    @Test func historyStartsAtTheListingAndSkipsOutages() {
        let universe = SimulatedUniverse(count: 50, seed: 7)
        let listed = Self.anchor - 3 * 86_400_000
        let outage = (Self.anchor - 86_400_000)..<(Self.anchor - 86_400_000 + 30 * 60_000)
        let history = Self.history {
            $0.listings[universe.assets[5].id] = listed
            $0.outages = [outage]
        }
        let minutes = (Self.anchor / 60_000 - 5 * 1440)..<(Self.anchor / 60_000)
        let bars = history.minuteBars(asset: 5, minutes: minutes)
        #expect(bars.first?.openTimeMillis == listed)
        #expect(bars.count == 3 * 1440 - 30)
        #expect(!bars.contains { outage.contains($0.openTimeMillis) })
        #expect(history.minuteBars(asset: 6, minutes: minutes).count == 5 * 1440 - 30)
    }

    @Test func widerBarsAggregateTheMinutes() {
        let history = Self.history()
        let start = (Self.anchor / 60_000 - 3000) / 60 * 60
        let hours = history.bars(asset: 2, widthMinutes: 60, openMinutes: start...(start + 60 * 9), limit: 1000)
        let minutes = history.minuteBars(asset: 2, minutes: start..<(start + 600))
        #expect(hours.count == 10)
        for (n, hour) in hours.enumerated() {
            let inside = minutes[(n * 60)..<(n * 60 + 60)]
            #expect(hour.openTimeMillis == (start + Int64(n) * 60) * 60_000)
            #expect(hour.open == inside.first!.open && hour.close == inside.last!.close)
            #expect(hour.high == inside.map(\.high).max()! && hour.low == inside.map(\.low).min()!)
            #expect(abs(hour.quoteVolume - inside.map(\.quoteVolume).reduce(0, +)) < 1e-6 * hour.quoteVolume)
        }
        let limited = history.bars(asset: 2, widthMinutes: 1, openMinutes: start...(start + 5000), limit: 1000)
        #expect(limited.count == 1000 && limited.first?.openTimeMillis == start * 60_000)
    }
}
