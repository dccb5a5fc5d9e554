import CryptoVizCore
import Foundation
import Lakehouse
import ObjectStore
import TestSupport

/// Deterministic synthetic ticks and fresh stores for the lake tests.
enum TickFixtures {
    static let assets: [AssetID] = ["bitcoin", "ethereum", "solana"]
    static let sources: [ProviderID] = [.coinGecko, .binance]
    /// 2025-11-25T23:00:00Z: batches cross midnight, so tables get two date partitions.
    static let start: Int64 = 1_764_111_600_000

    /// `count` ticks per asset and source, one every `stepMillis`, starting at `offset` steps.
    static func records(count: Int, offset: Int = 0, stepMillis: Int64 = 60_000, topic: String = "crypto-raw-data",
                        partition: Int32 = 0) -> [LakeRecord] {
        var out: [LakeRecord] = []
        var busOffset = Int64(offset * assets.count * sources.count)
        for step in offset..<(offset + count) {
            let t = start + Int64(step) * stepMillis
            for (ai, asset) in assets.enumerated() {
                for (si, source) in sources.enumerated() {
                    let price = 100.0 * Double(ai + 1) + Double((step * 37 + si * 11) % 500) / 4.0
                    let tick = Tick(source: source, asset: asset, symbol: String(asset.rawValue.prefix(3)).uppercased(),
                                    price: price, marketCap: step % 4 == 0 ? nil : price * 1e6,
                                    volume24h: 1e5 + Double(step), change1h: 0.5, change24h: nil, change7d: -2.0,
                                    sourceTimeMillis: t, collectedTimeMillis: t + 150)
                    out.append(LakeRecord(tick: tick, ingestedTimeMillis: t + 200, processedTimeMillis: t + 300,
                                          busTopic: topic, busPartition: partition, busOffset: busOffset))
                    busOffset += 1
                }
            }
        }
        return out
    }

    /// A local store in a fresh temporary directory, and that directory.
    static func localStore(_ label: String) throws -> (LocalFileStore, URL) {
        let dir = try TestEnvironment.temporaryDirectory(label)
        return (try LocalFileStore(root: dir.path), dir)
    }
}

/// Row count, per-asset price sums and last price per "asset|source": what the reference
/// readers report, computed here from records.
struct TableSummary: Equatable, CustomStringConvertible {
    var rows: Int
    var sumPrice: [String: Double]
    var lastPrice: [String: Double]

    init(_ records: [LakeRecord]) {
        rows = records.count
        sumPrice = [:]
        lastPrice = [:]
        var lastTime: [String: Int64] = [:]
        for r in records {
            sumPrice[r.tick.asset.rawValue, default: 0] += r.tick.price
            let key = "\(r.tick.asset.rawValue)|\(r.tick.source.rawValue)"
            if lastTime[key].map({ r.tick.sourceTimeMillis > $0 }) ?? true {
                lastTime[key] = r.tick.sourceTimeMillis
                lastPrice[key] = r.tick.price
            }
        }
    }

    init(json: Any?) throws {
        guard let o = json as? [String: Any], let rows = o["rows"] as? Int,
              let sums = o["sum_price"] as? [String: Double], let last = o["last_price"] as? [String: Double]
        else { throw LakehouseError(.invalidArgument, "oracle summary has an unexpected shape: \(String(describing: json))") }
        self.rows = rows
        self.sumPrice = sums
        self.lastPrice = last
    }

    /// Equal rows and keys, sums within a relative 1e-9 (summation order differs), last prices exact.
    func matches(_ other: TableSummary) -> Bool {
        guard rows == other.rows, lastPrice == other.lastPrice, Set(sumPrice.keys) == Set(other.sumPrice.keys) else {
            return false
        }
        return sumPrice.allSatisfy { key, value in
            let o = other.sumPrice[key] ?? .nan
            return abs(value - o) <= 1e-9 * max(1, abs(value))
        }
    }

    var description: String { "rows=\(rows) sums=\(sumPrice.sorted { $0.key < $1.key }) last=\(lastPrice.sorted { $0.key < $1.key })" }
}
