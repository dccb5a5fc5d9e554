import CryptoVizCore
import Foundation
import Testing
@testable import Server

/// The hand-written quotes body says exactly what Foundation's encoder says for the same value.
@Suite struct QuotesResponseJSONTests {
    static func quotes(_ seed: UInt64) -> QuotesResponse {
        var g = SplitMix64(seed: seed)
        func maybe(_ g: inout SplitMix64) -> Double? {
            Bool.random(using: &g) ? [0, -0.0, 1e-300, 12.5, -3.25, 1e22, 97_000.123_456_789].randomElement(using: &g)! : nil
        }
        let names = ["bitcoin", "é\"\\/\n\u{1}😀", "", "x y"]
        return QuotesResponse(quotes: (0..<Int.random(in: 0...20, using: &g)).map { i in
            let sources = (0..<Int.random(in: 0...3, using: &g)).map { j in
                var tick = Tick(source: ProviderID(names[j % names.count]), asset: AssetID(names[i % names.count]), symbol: "S\(i)",
                                price: Double.random(in: -1e9...1e9, using: &g), sourceTimeMillis: Int64.random(in: .min ... .max, using: &g),
                                collectedTimeMillis: Int64(i))
                tick.marketCap = maybe(&g); tick.volume24h = maybe(&g)
                tick.change1h = maybe(&g); tick.change24h = maybe(&g); tick.change7d = maybe(&g)
                return SourceQuoteDTO(tick)
            }
            return QuoteDTO(asset: AssetID(names[i % names.count]), symbol: names[(i + 1) % names.count], price: Double(i) / 7,
                            change1h: maybe(&g), change24h: maybe(&g), change7d: maybe(&g), sourceTimeMs: Int64(i), sources: sources)
        })
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func sameDocumentAsFoundation(seed: UInt64) throws {
        let value = Self.quotes(seed)
        let ours = try JSONSerialization.jsonObject(with: Data(try value.jsonBytes())) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: try JSONResponse.explicitKeysEncoder.encode(value)) as? NSDictionary
        #expect(ours != nil && ours == theirs)
        // And the snake-case encoder the API used before gives the same document.
        let before = try JSONSerialization.jsonObject(with: try JSONResponse.encoder.encode(value)) as? NSDictionary
        #expect(before == theirs)
    }
}
