import Testing
@testable import MarketSimulator

@Suite struct SimulatedUniverseTests {
    let universe = SimulatedUniverse(count: 300, seed: 7)

    @Test func containsDeliberateDuplicateTickers() {
        let ones = universe.assets.filter { $0.symbol == "ONE" }.map(\.id)
        #expect(ones == ["harmony", "menlo-one", "bigone-token"])
        let symbols = universe.assets.map(\.symbol)
        #expect(Set(symbols).count < symbols.count - 3)
        #expect(Set(universe.assets.map(\.id)).count == 300)
    }

    @Test func pricesAndCapsSpanRealisticRanges() {
        let prices = universe.assets.map(\.initialPrice)
        #expect(prices.allSatisfy { $0 >= 1e-8 && $0 <= 1e5 })
        #expect(prices.contains { $0 < 1e-5 })
        #expect(prices.contains { $0 > 1e3 })
        let caps = universe.assets.map { $0.initialPrice * $0.circulatingSupply }
        #expect(caps[0] > 1e12)
        #expect(zip(caps, caps.dropFirst()).allSatisfy { $0 >= $1 * 0.999 })
    }

    @Test func binanceListsOnlyTheDominantCoinOfEachTicker() {
        let pairs = universe.assets.compactMap(\.binancePair)
        #expect(Set(pairs).count == pairs.count)
        #expect(universe.assets.first { $0.id == "harmony" }?.binancePair == "ONEUSDT")
        #expect(universe.assets.first { $0.id == "menlo-one" }?.binancePair == nil)
        #expect(universe.assets.first { $0.symbol == "USDT" }?.binancePair == nil)
    }

    @Test func isDeterministicPerSeed() {
        #expect(SimulatedUniverse(count: 50, seed: 7).assets == SimulatedUniverse(count: 50, seed: 7).assets)
        #expect(SimulatedUniverse(count: 50, seed: 7).assets != SimulatedUniverse(count: 50, seed: 8).assets)
    }
}
