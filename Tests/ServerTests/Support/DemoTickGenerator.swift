import CryptoVizCore
@testable import Server

/// Fills an `InMemoryMarketData` like a small live market: two hours of minute history, then
/// fresh ticks for every (asset, source) every `period`, random-walking prices. Test-only.
struct DemoTickGenerator: Sendable {
    static let assets: [(AssetID, String, Double)] = [
        ("bitcoin", "BTC", 95_000), ("ethereum", "ETH", 3_400), ("solana", "SOL", 180), ("cardano", "ADA", 0.9),
    ]
    static let sources: [ProviderID] = [.coinGecko, .coinMarketCap, .binance]

    var data: InMemoryMarketData
    var period: Duration = .milliseconds(400)

    static func tick(_ asset: (AssetID, String, Double), _ source: ProviderID, step: Int, at ms: Int64) -> Tick {
        let phase = Double(step) / 15 + Double(asset.2.magnitude.exponent)
        let bias = source == .binance ? 1.0005 : source == .coinMarketCap ? 0.9997 : 1.0
        let price = asset.2 * bias * (1 + 0.02 * sin(phase) + 0.004 * Double.random(in: -1...1))
        return Tick(
            source: source, asset: asset.0, symbol: asset.1, price: price, marketCap: price * 1e7,
            volume24h: price * 1e5, change1h: 0.5 * sin(phase), change24h: 2 * cos(phase), change7d: -1.5,
            sourceTimeMillis: ms, collectedTimeMillis: ms + Int64.random(in: 50...400))
    }

    /// Two hours of history at one tick per minute per (asset, source), in hourly batches.
    func seedHistory(now: Int64 = currentUnixMillis()) async {
        for hour in 0..<2 {
            var batch: [Tick] = []
            for minute in 0..<60 {
                let step = hour * 60 + minute
                let at = now - Int64(120 - step) * 60_000
                for asset in Self.assets { for source in Self.sources { batch.append(Self.tick(asset, source, step: step, at: at)) } }
            }
            await data.append(batch)
        }
    }

    /// Appends a fresh tick per (asset, source) every `period` until cancelled.
    func run() async {
        var step = 120
        while !Task.isCancelled {
            let now = currentUnixMillis()
            var batch: [Tick] = []
            for asset in Self.assets { for source in Self.sources { batch.append(Self.tick(asset, source, step: step, at: now)) } }
            await data.append(batch)
            step += 1
            try? await Task.sleep(for: period)
        }
    }
}

import Foundation
