import CryptoVizCore
import Lakehouse
import Synchronization

/// What a lake holds, per (source, asset): from the tick table and the candles table, so the
/// asset and source lists show a lake's whole history, not only the live tail's window.
///
/// Never a full scan per request. The tick table's part is kept per data file (Delta data
/// files are immutable: a path always holds the same rows), so a new version costs a read of
/// the four summary columns of the files it added, and removed files simply drop out. The
/// candles table's part is kept per data file the same way (`CandleSnapshot.seriesByFile`,
/// which reads only files mixing several series). The merged list is kept per pair of versions.
final class LakeCatalog: Sendable {
    /// One (source, asset) series the lake holds.
    struct Series: Sendable, Hashable {
        var source: ProviderID
        var asset: AssetID
        /// The tick symbol of the newest tick, else one derived from the candles' pair symbol; "" if neither.
        var symbol: String
        /// Source time of the newest tick in the tick table, nil when only candles hold the series.
        var lastTickMillis: Int64?
    }

    private struct State {
        var tickFiles: [String: [TickSeriesSummary]] = [:]
        var candleFiles: [String: [CandleSeries]] = [:]
        var candleVersion: Int64?
        var candleSeries: [CandleSeries] = []
        var candleSymbols: [SeriesKey: String] = [:]
        var mergedVersions: (ticks: Int64, candles: Int64?)?
        var merged: [Series] = []
        /// The newest tick of a series, by the source time it was read for.
        var newest: [SeriesKey: Tick] = [:]
    }

    struct SeriesKey: Hashable, Sendable {
        var source: ProviderID
        var asset: AssetID
    }

    private let state = Mutex(State())

    /// The candles table's series at `snapshot`'s version (cached per version; per data file
    /// underneath, so a new version reads only the files it added).
    func candleSeries(_ snapshot: CandleSnapshot) async throws -> [CandleSeries] {
        if let cached = state.withLock({ $0.candleVersion == snapshot.version ? $0.candleSeries : nil }) { return cached }
        let files = snapshot.delta.files
        let missing = state.withLock { s in files.filter { s.candleFiles[$0.path] == nil } }
        let read = try await snapshot.seriesByFile(missing)
        let symbols = Self.candleSymbols(snapshot)
        return state.withLock { s in
            // Keep only this version's files: replaced ones (compaction, vacuum) drop out.
            var current: [String: [CandleSeries]] = [:]
            for file in files { current[file.path] = s.candleFiles[file.path] ?? read[file.path] ?? [] }
            s.candleFiles = current
            let series = CandleSnapshot.merge(current.values)
            s.candleVersion = snapshot.version
            s.candleSeries = series
            s.candleSymbols = symbols
            return series
        }
    }

    /// Every series of both tables, sorted by source then asset.
    func series(ticks: TickSnapshot, candles: CandleSnapshot?) async throws -> [Series] {
        let versions = (ticks: ticks.version, candles: candles?.version)
        if let merged = state.withLock({ s -> [Series]? in
            guard let m = s.mergedVersions, m.ticks == versions.ticks, m.candles == versions.candles else { return nil }
            return s.merged
        }) {
            return merged
        }
        let files = ticks.delta.files
        var stored: [CandleSeries] = []
        if let candles { stored = try await candleSeries(candles) }
        // Summaries of this version's files: cached ones, and the others read. A concurrent
        // call for another version may prune the cache between the two locks; what it took is
        // read on the next round (files read stay in `read`, so this ends).
        var read: [String: [TickSeriesSummary]] = [:]
        while true {
            let missing = state.withLock { s in files.filter { s.tickFiles[$0.path] == nil && read[$0.path] == nil } }
            if missing.isEmpty { break }
            for (path, summaries) in try await ticks.seriesSummaries(of: missing) { read[path] = summaries }
            if state.withLock({ s in files.allSatisfy { s.tickFiles[$0.path] != nil || read[$0.path] != nil } }) { break }
        }
        return state.withLock { s in
            // Keep only the files of this version: replaced files (compaction, retention) drop out.
            var current: [String: [TickSeriesSummary]] = [:]
            var complete = true
            for file in files {
                guard let summaries = s.tickFiles[file.path] ?? read[file.path] else { complete = false; continue }
                current[file.path] = summaries
            }
            s.tickFiles = current
            var bySeries: [SeriesKey: Series] = [:]
            for summaries in current.values {
                for summary in summaries {
                    let key = SeriesKey(source: summary.source, asset: summary.asset)
                    if let known = bySeries[key], let last = known.lastTickMillis, last >= summary.lastSourceTimeMillis { continue }
                    bySeries[key] = Series(source: summary.source, asset: summary.asset, symbol: summary.symbol,
                                           lastTickMillis: summary.lastSourceTimeMillis)
                }
            }
            if candles != nil {
                for series in stored {
                    let key = SeriesKey(source: series.source, asset: series.asset)
                    guard bySeries[key] == nil else { continue }
                    bySeries[key] = Series(source: series.source, asset: series.asset, symbol: s.candleSymbols[key] ?? "",
                                           lastTickMillis: nil)
                }
            }
            let merged = bySeries.values.sorted { ($0.source, $0.asset) < ($1.source, $1.asset) }
            // Incomplete only if a concurrent call pruned a file after the last check: not kept.
            if complete {
                s.mergedVersions = versions
                s.merged = merged
            }
            return merged
        }
    }

    /// The list `series(ticks:candles:)` built last, without asking the tables; nil before the first.
    func lastBuilt() -> [Series]? {
        state.withLock { $0.mergedVersions == nil ? nil : $0.merged }
    }

    /// The newest tick of `series` in the tick table (at `series.lastTickMillis`): read from
    /// the few files of that day that may hold it, then kept until the series gets a newer one.
    func newestTick(of series: Series, in table: TickTable) async throws -> Tick? {
        guard let time = series.lastTickMillis else { return nil }
        let key = SeriesKey(source: series.source, asset: series.asset)
        if let tick = state.withLock({ $0.newest[key] }), tick.sourceTimeMillis == time { return tick }
        let tick = try await table.snapshot().ticks(asset: series.asset, source: series.source, fromMillis: time, toMillis: time + 1).last?.tick
        if let tick { state.withLock { $0.newest[key] = tick } }
        return tick
    }

    /// A ticker symbol per candles series, from the log's statistics of files holding one
    /// asset: the pair symbol without its quote currency, upper-cased (`BTCUSDT` → `BTC`,
    /// `btc` → `BTC`).
    static func candleSymbols(_ snapshot: CandleSnapshot) -> [SeriesKey: String] {
        var out: [SeriesKey: String] = [:]
        for file in snapshot.delta.files {
            guard let source = file.partitionValues["source"] ?? nil, let stats = file.parsedStatistics(),
                  let assets = stats.stringRange(CandleColumn.asset.rawValue), assets.lowerBound == assets.upperBound,
                  let symbols = stats.stringRange(CandleColumn.symbol.rawValue), symbols.lowerBound == symbols.upperBound
            else { continue }
            var symbol = symbols.lowerBound.uppercased()
            if let quotes = stats.stringRange(CandleColumn.quoteCurrency.rawValue), quotes.lowerBound == quotes.upperBound {
                let quote = quotes.lowerBound.uppercased()
                if !quote.isEmpty, symbol.count > quote.count, symbol.hasSuffix(quote) { symbol.removeLast(quote.count) }
            }
            out[SeriesKey(source: ProviderID(source), asset: AssetID(assets.lowerBound))] = symbol
        }
        return out
    }
}
