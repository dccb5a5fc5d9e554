import CryptoVizCore
import Lakehouse
import Synchronization

/// Candles of whole UTC days of lake history, keyed by the exact data files they were computed
/// from, so a long-range chart (a month of 1 h, a year of 1 d) does not re-read and re-aggregate
/// months of ticks on every request.
///
/// Correct without invalidation: Delta data files are immutable, and every tick of a day lives
/// in that day's `date=` partition (the partition is derived from the tick's source time), so the
/// same set of file paths for a day always yields the same candles. An append, compaction or
/// retention that touches a day changes its file set and therefore its key; stale entries are
/// only memory, and are dropped when the budget is exceeded. Buckets of every `CandleInterval`
/// divide a day, so per-day candle lists concatenate into the candles of the whole range.
final class CandleDayCache: Sendable {
    struct Key: Hashable, Sendable {
        var asset: AssetID
        /// Sorted source names, nil for all sources.
        var sources: [String]?
        var interval: CandleInterval
        var day: Int64
        /// Sorted paths of the day's candidate data files.
        var files: [String]
    }

    private struct State {
        var entries: [Key: [CandleDTO]] = [:]
        var candles = 0
    }

    /// Most candles held in total (a 1 m day is 1 440 candles of ~80 bytes).
    let budget: Int
    private let state = Mutex(State())

    init(budget: Int = 1_000_000) {
        self.budget = budget
    }

    func get(_ key: Key) -> [CandleDTO]? {
        state.withLock { $0.entries[key] }
    }

    func put(_ key: Key, _ candles: [CandleDTO]) {
        guard candles.count <= budget / 4 else { return }
        state.withLock { state in
            if let old = state.entries.updateValue(candles, forKey: key) { state.candles -= old.count }
            state.candles += candles.count
            // Over budget: drop entries (arbitrary order) down to three quarters of it.
            guard state.candles > budget else { return }
            while state.candles > budget * 3 / 4, let victim = state.entries.first(where: { $0.key != key }) {
                state.entries.removeValue(forKey: victim.key)
                state.candles -= victim.value.count
            }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
