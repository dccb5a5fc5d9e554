import CryptoVizCore
import Foundation
@testable import Server
import Testing
import TestSupport

/// The live stream's events, written byte by byte, carry a JSON object that Foundation decodes
/// into the very tick that was sent: optionals present or absent, hostile strings included.
@Suite struct LiveEventFormatTests {
    @Test func eventDataDecodesToTheSameTick() throws {
        var g = SeededGenerator(seed: 9)
        let symbols = ["BTC", "é\u{301}tö", "quo\"te\\back/slash", "tab\tnew\nline\u{1}", "🙂 emoji", ""]
        for i in 0..<2_000 {
            func maybe(_ scale: Double) -> Double? { Bool.random(using: &g) ? nil : Double.random(in: -scale...scale, using: &g) }
            let tick = Tick(source: [ProviderID.binance, .coinGecko, .coinMarketCap][i % 3], asset: AssetID("asset-\(i % 17)"),
                            symbol: symbols[i % symbols.count], quoteCurrency: i % 2 == 0 ? "USD" : "USDT",
                            price: i % 50 == 0 ? 1e-300 : Double.random(in: 0...100_000, using: &g),
                            marketCap: maybe(1e12), volume24h: maybe(1e9), change1h: maybe(10), change24h: i % 7 == 0 ? -0.0 : maybe(30),
                            change7d: maybe(90), sourceTimeMillis: Int64.random(in: 0...2_000_000_000_000, using: &g),
                            collectedTimeMillis: Int64.random(in: 0...2_000_000_000_000, using: &g))
            let event = LiveEventStream.event(tick)
            #expect(event.hasPrefix("event: tick\ndata: ") && event.hasSuffix("\n\n"))
            let data = event.dropFirst("event: tick\ndata: ".count).dropLast(2)
            #expect(!data.contains("\n"), "an event's data must stay on one line")
            let decoded = try JSONDecoder().decode(Tick.self, from: Data(data.utf8))
            #expect(decoded == tick, "\(event)")
        }
    }

    @Test func aTickJSONCannotHoldBecomesAnEmptyObject() {
        let tick = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", price: .nan, sourceTimeMillis: 1, collectedTimeMillis: 1)
        #expect(LiveEventStream.event(tick) == "event: tick\ndata: {}\n\n")
    }
}
