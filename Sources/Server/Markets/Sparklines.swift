import CryptoVizCore
import Lakehouse

/// The small price lines of the Markets table: each asset's last close per step over the past
/// days, on one grid shared by every asset so the browser draws them without any time logic.
struct Sparklines: Sendable {
    /// Points per line: a 7-day line is one close per 4 hours.
    static let points = 42

    let from: Int64
    let step: Int64

    /// The grid ending at `now` (rounded up to the hour) and reaching `days` back.
    init(days: Int, now: Int64) {
        let hour = CandleInterval.oneHour.millis
        let end = (now.floorDivided(by: hour) + 1) * hour
        let span = Int64(days) * 86_400_000
        step = max(hour, span / Int64(Self.points))
        from = end - step * Int64(Self.points)
    }

    /// `asset`'s line: the close of the last hourly candle within each step, nil for a step
    /// without one.
    func line(_ candles: [CandleDTO]) -> [Double?] {
        var closes = [Double?](repeating: nil, count: Self.points)
        for c in candles where c.startMs >= from {
            let i = Int((c.startMs - from) / step)
            if i < Self.points { closes[i] = c.close }
        }
        return closes
    }

    private func query(_ asset: AssetID) -> CandleQuery {
        CandleQuery(asset: asset, interval: .oneHour, fromMillis: from, toMillis: from + step * Int64(Self.points))
    }

    /// The lines of `assets`, at most four candle reads at a time (each may scan the lake).
    func lines(_ assets: [AssetID], data: any MarketDataSource) async throws -> [SparklineDTO] {
        var out = [SparklineDTO?](repeating: nil, count: assets.count)
        try await withThrowingTaskGroup(of: (Int, SparklineDTO).self) { group in
            var next = 0
            func start() {
                guard next < assets.count else { return }
                let (index, asset) = (next, assets[next])
                next += 1
                group.addTask {
                    let known = try await data.isKnown(asset)
                    let candles = known ? try await data.candles(query(asset)) : []
                    return (index, SparklineDTO(asset: asset.rawValue, close: line(candles)))
                }
            }
            for _ in 0..<4 { start() }
            while let (index, line) = try await group.next() {
                out[index] = line
                start()
            }
        }
        return out.compactMap { $0 }
    }
}

/// One asset's line; `close[i]` belongs to the step starting at `from_ms + i * step_ms`.
struct SparklineDTO: Encodable, Sendable {
    var asset: String
    var close: [Double?]
}

/// `GET /api/v1/markets/sparklines`.
struct SparklinesResponse: Encodable {
    var fromMs: Int64
    var stepMs: Int64
    var sparklines: [SparklineDTO]
}
