import CryptoVizCore
import Foundation
import Lakehouse
import Testing
import TestSupport
@testable import Server

/// The API's indicators equal pandas/numpy's on a fixed series (relative 1e-9, nulls at the
/// same places), the endpoint serves them over a real server, and requests for unknown or
/// malformed indicators are refused.
@Suite struct IndicatorTests {
    /// 600 hourly candles of a seeded random walk, with a flat stretch (RSI with no loss, then
    /// neither gain nor loss) and candles without volume.
    static func candles() -> [CandleDTO] {
        var g = SplitMix64(seed: 7)
        var price = 64_000.0
        return (0..<600).map { i in
            let flat = (200..<240).contains(i)
            let rising = (160..<200).contains(i)
            if !flat { price *= rising ? 1.002 : exp(Double.random(in: -0.01...0.01, using: &g)) }
            let spread = flat ? 0 : price * Double.random(in: 0...0.004, using: &g)
            return CandleDTO(startMs: Int64(i) * 3_600_000, open: price, high: price + spread, low: price - spread, close: price,
                             volume: i % 7 == 3 ? nil : Double.random(in: 1...500, using: &g), tickCount: 1)
        }
    }

    static let requested = ["sma:20", "sma:1", "ema:12", "ema:200", "bollinger:20:2", "bollinger:50:2.5", "rsi:14", "rsi:2",
                            "vwap", "volatility:30", "volatility:2"]

    @Test func valuesMatchPandas() throws {
        let candles = Self.candles()
        let indicators = try Self.requested.map { try Indicator(parsing: $0) }
        let ours = IndicatorSeries.compute(indicators, candles: candles, firstShown: 0, interval: .oneHour)
        let spec: [String: Any] = [
            "close": candles.map(\.close), "high": candles.map(\.high), "low": candles.map(\.low),
            "volume": candles.map { $0.volume.map { $0 as Any } ?? NSNull() }, "bars_per_year": 365.0 * 24,
            "indicators": Self.requested,
        ]
        let output = try ProcessRunner.oracle("server/indicators_oracle.py", [], stdin: try JSONSerialization.data(withJSONObject: spec)).stdout
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: [Any]]])
        for series in ours {
            let lines = try #require(reference[series.key], "no reference for \(series.key)")
            #expect(Set(lines.keys) == Set(series.lines.keys), "\(series.key) lines")
            for (line, values) in series.lines {
                let want = try #require(lines[line])
                #expect(values.count == want.count)
                var defined = 0
                // A value that is zero in exact arithmetic (the volatility of a constant-return
                // stretch) is compared at the line's scale: pandas' online variance leaves 1e-13.
                let scale = want.compactMap { ($0 as? NSNumber)?.doubleValue }.map(abs).max() ?? 0
                for (i, (got, expected)) in zip(values, want).enumerated() {
                    let e = (expected as? NSNumber)?.doubleValue
                    guard let got, let e else {
                        #expect(got == nil && e == nil, "\(series.key).\(line)[\(i)]: ours \(String(describing: got)), pandas \(expected)")
                        continue
                    }
                    defined += 1
                    #expect(abs(got - e) <= 1e-9 * max(abs(e), scale * 1e-3), "\(series.key).\(line)[\(i)]: ours \(got), pandas \(e)")
                }
                #expect(defined > 400, "\(series.key).\(line): only \(defined) values defined")
            }
        }
    }

    @Test func badRequestsAreRefusedWithTheReason() {
        for text in ["sma", "sma:0", "sma:x", "sma:1001", "ema:5:1", "bollinger:20", "bollinger:20:-1", "bollinger:20:nan",
                     "rsi:1", "volatility:1", "vwap:3", "macd:12", ""] {
            #expect(throws: IndicatorError.self, "\(text)") { try Indicator(parsing: text) }
        }
        #expect((try? Indicator(parsing: "bollinger:20:2"))?.key == "bollinger:20:2")
        #expect((try? Indicator(parsing: "bollinger:20:2.5"))?.key == "bollinger:20:2.5")
    }
}
