import CryptoVizCore
import Foundation
import Lakehouse

/// The lake benchmarks' ticks: `assets` × `sources`, one tick each per step from 2025-01-01,
/// prices a smooth function of time, written as one commit per `batchMinutes` (so one small
/// file per date and source per commit, like a stream processor's micro-batches).
struct SyntheticTicks {
    static let start: Int64 = 1_735_689_600_000 // 2025-01-01T00:00:00Z

    var assets: Int
    var sources: Int
    var stepSeconds: Int
    var batchMinutes: Int

    func records(fromMillis: Int64, toMillis: Int64) -> [LakeRecord] {
        var out: [LakeRecord] = []
        let step = Int64(stepSeconds) * 1000
        var t = fromMillis
        while t < toMillis {
            for s in 0..<sources {
                for a in 0..<assets {
                    let minute = Double((t - Self.start) / 60_000)
                    let price = Double(10 + a * 7) * (1 + 0.1 * sin(minute / Double(500 + a) + Double(s) * 0.01))
                    let tick = Tick(source: ProviderID("source\(s)"), asset: AssetID(String(format: "asset%03d", a)),
                                    symbol: "A\(a)", price: price, marketCap: price * 1e7, volume24h: 1e6,
                                    change1h: 0.1, change24h: 1, change7d: 2, sourceTimeMillis: t, collectedTimeMillis: t + 100)
                    out.append(LakeRecord(tick: tick, ingestedTimeMillis: t + 150, processedTimeMillis: t + 200,
                                          busTopic: "crypto-raw-data", busPartition: Int32(s), busOffset: t / step))
                }
            }
            t += step
        }
        return out
    }

    /// Writes `days` of micro-batches into a table; returns (rows, seconds).
    func fill(_ table: TickTable, days: Int) async throws -> (Int, Double) {
        let clock = ContinuousClock()
        var rows = 0
        let begin = clock.now
        let batch = Int64(batchMinutes) * 60_000
        var t = Self.start
        let end = Self.start + Int64(days) * 86_400_000
        while t < end {
            let r = records(fromMillis: t, toMillis: min(end, t + batch))
            rows += r.count
            try await table.append(r)
            t += batch
        }
        return (rows, (clock.now - begin).benchSeconds)
    }
}
