import CryptoVizCore
import Foundation
import Lakehouse
import Testing
@testable import Server

/// The hand-written candles body says exactly what Foundation's encoder says for the same value.
@Suite struct CandlesResponseJSONTests {
    @Test(arguments: 0..<30 as Range<UInt64>)
    func sameDocumentAsFoundation(seed: UInt64) throws {
        var g = SplitMix64(seed: seed)
        let values: [Double] = [0, -0.0, 1e-300, 12.5, -3.25, 1e22, 97_000.123_456_789, 5e-324, .greatestFiniteMagnitude]
        let candles = (0..<Int.random(in: 0...40, using: &g)).map { i in
            CandleDTO(startMs: Int64.random(in: .min ... .max, using: &g), open: values.randomElement(using: &g)!,
                      high: Double.random(in: -1e12...1e12, using: &g), low: values.randomElement(using: &g)!,
                      close: Double.random(in: 0...1, using: &g),
                      volume: Bool.random(using: &g) ? values.randomElement(using: &g)! : nil, tickCount: i * 7)
        }
        let asset = ["bitcoin", "é\"\\/\n\u{1}😀", ""][Int(seed % 3)]
        let value = CandlesResponse(asset: AssetID(asset), interval: [.oneMinute, .oneHour, .oneDay][Int(seed % 3)], candles: candles)
        let ours = try JSONSerialization.jsonObject(with: Data(try value.jsonBytes())) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: try JSONResponse.explicitKeysEncoder.encode(value)) as? NSDictionary
        #expect(ours != nil && ours == theirs)
    }

    @Test func nonFiniteValuesAreAnErrorNotInvalidJSON() {
        let value = CandlesResponse(asset: "bitcoin", interval: .oneHour,
                                    candles: [CandleDTO(startMs: 0, open: .nan, high: 1, low: 1, close: 1, volume: nil, tickCount: 1)])
        #expect(throws: (any Error).self) { try value.jsonBytes() }
    }
}
