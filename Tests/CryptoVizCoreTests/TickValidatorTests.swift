import Testing
@testable import CryptoVizCore

@Suite struct TickValidatorTests {
    let now: Int64 = 1_764_115_200_000  // 2025-11-26T00:00:00Z
    let validator = TickValidator()

    func tick(price: Double = 100, time: Int64? = nil, asset: AssetID = "bitcoin") -> Tick {
        Tick(source: .coinGecko, asset: asset, symbol: "BTC", price: price,
             sourceTimeMillis: time ?? now, collectedTimeMillis: now)
    }

    @Test func acceptsOrdinaryTick() {
        #expect(validator.rejection(for: tick(), nowMillis: now) == nil)
    }

    @Test func acceptsVerySmallPrices() {
        #expect(validator.rejection(for: tick(price: 0.00000123), nowMillis: now) == nil)
    }

    @Test(arguments: [0.0, -1.0, -0.0])
    func rejectsNonPositivePrice(price: Double) {
        #expect(validator.rejection(for: tick(price: price), nowMillis: now) == .nonPositivePrice)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func rejectsNonFinitePrice(price: Double) {
        #expect(validator.rejection(for: tick(price: price), nowMillis: now) == .nonFinitePrice)
    }

    @Test func rejectsMissingAssetID() {
        #expect(validator.rejection(for: tick(asset: ""), nowMillis: now) == .missingAssetID)
    }

    @Test func rejectsTimestampTooFarInFuture() {
        #expect(validator.rejection(for: tick(time: now + 10 * 60_000), nowMillis: now) == .futureTimestamp)
        #expect(validator.rejection(for: tick(time: now + 60_000), nowMillis: now) == nil)
    }

    @Test func rejectsTimestampBeforeBitcoin() {
        #expect(validator.rejection(for: tick(time: 0), nowMillis: now) == .ancientTimestamp)
    }

    @Test func rejectsNegativeVolumeAndImpossibleChange() {
        var t = tick()
        t.volume24h = -5
        #expect(validator.rejection(for: t, nowMillis: now) == .implausibleValue(field: "volume_24h"))
        t = tick()
        t.change24h = -150
        #expect(validator.rejection(for: t, nowMillis: now) == .implausibleValue(field: "change_24h"))
    }
}
