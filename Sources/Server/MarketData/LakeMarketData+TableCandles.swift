import CryptoVizCore
import Lakehouse

/// Candles from the lake's candles table, joined to candles from ticks at a seam.
///
/// **The seam rule.** Per (source, asset) the candles table answers from its first bar up to
/// the end of its newest *final* bar (`open time + interval`); before and after that the source's
/// ticks (lake and hot tail, as for a lake without a candles table) answer, so the still-open
/// minute always comes from the ticks. A bar at or after that end (a still-open rollup) is not
/// used, and a tick before it is not used: every instant of a source is counted once, from
/// one side. The newest final bar is the newest in the range asked (a range ending before
/// the table's newest bar is then answered from the table up to its end); a gap inside the
/// covered span is a gap the provider had, not filled from ticks.
///
/// **Intervals.** 1-minute bars serve every request interval, aggregated at query time; a
/// source holding coarser bars (CoinGecko history: 5 m, 1 h or 1 d depending on how far back)
/// serves the request intervals they divide, each coarser bar used only where no finer stored
/// bar lies inside its span. How bars, ticks and sources combine within a bucket:
/// `CandleAssembly`.
extension LakeMarketData {
    /// The candles of `query` when the candles table holds bars for it; nil otherwise (the
    /// tick path then answers exactly as before the candles table existed). Time travel
    /// (`asOfVersion`, a tick table version) always takes the tick path.
    func tableCandles(_ query: CandleQuery) async throws -> [CandleDTO]? {
        guard query.asOfVersion == nil, query.fromMillis < query.toMillis, let table = try await candleTable() else { return nil }
        let snapshot = try await table.snapshot()
        let series = try await catalog.candleSeries(snapshot).filter {
            $0.asset == query.asset && (query.sources?.contains($0.source) ?? true) && query.interval.millis % $0.interval.millis == 0
        }
        guard !series.isEmpty else { return nil }

        var assembly = CandleAssembly(interval: query.interval)
        var covered: [ProviderID: Range<Int64>] = [:]
        let bySource = Dictionary(grouping: series, by: \.source)
        // Sources holding 1-minute bars only (backfilled klines, live rollups): one columnar
        // scan for all of them, each up to its newest final bar (`CandleSnapshot.barScan`).
        let minuteOnly = bySource.filter { $0.value.count == 1 && $0.value[0].interval == .oneMinute }
        // The scan keeps one slot per bucket: ask only for the span the series hold (`from=0`
        // would be 29 M empty minutes).
        let scanFrom = max(query.fromMillis, minuteOnly.values.map { $0[0].firstOpenTimeMillis }.min() ?? .max)
        let scanTo = min(query.toMillis, minuteOnly.values.map { $0[0].lastOpenTimeMillis + 60_000 }.max() ?? .min)
        if scanFrom < scanTo {
            let scan: CandleBarScan
            do {
                scan = try await snapshot.barScan(asset: query.asset, sources: Set(minuteOnly.keys), stored: .oneMinute,
                                                  interval: query.interval, fromMillis: scanFrom, toMillis: scanTo,
                                                  upToNewestFinal: true)
            } catch let error as LakehouseError where error.code == .invalidArgument {
                throw MarketDataError(.invalidArgument, "\(error.message); ask for a shorter range or a wider interval")
            }
            for (source, held) in minuteOnly {
                guard let newestFinalEnd = scan.newestFinalEnd[source] else { continue }
                let start = max(query.fromMillis, held[0].firstOpenTimeMillis), end = min(query.toMillis, newestFinalEnd)
                if start < end { covered[source] = start..<end }
            }
            if let label = covered.keys.min(), let first = covered.values.map(\.lowerBound).min(),
               let last = covered.values.map(\.upperBound).max() {
                assembly.add(aggregated: scan.bars, as: label, covering: first..<last)
            }
        }
        // Sources holding other widths (CoinGecko history: 5m, 1h or 1d by age): their records,
        // each coarser bar used only where no finer stored bar lies inside its span.
        for (source, held) in bySource where minuteOnly[source] == nil {
            let start = max(query.fromMillis, held.map(\.firstOpenTimeMillis).min()!)
            guard start < query.toMillis, held.contains(where: { $0.lastOpenTimeMillis + $0.interval.millis > query.fromMillis }) else {
                continue
            }
            var bars: [(CandleInterval, [CandleRecord])] = []
            for interval in held.map(\.interval).sorted(by: { $0.millis < $1.millis }) {
                bars.append((interval, try await snapshot.candles(asset: query.asset, source: source, interval: interval,
                                                                  fromMillis: start, toMillis: query.toMillis)))
            }
            // The seam: the end of the newest final bar in the range (scans return bars by open time).
            let newestFinalEnds = bars.compactMap { $0.1.last(where: \.isFinal).map { $0.openTimeMillis + $0.interval.millis } }
            let end = min(query.toMillis, newestFinalEnds.max() ?? start)
            guard start < end else { continue }
            covered[source] = start..<end
            var used: [Int64] = []
            for (interval, list) in bars {
                let occupied = Set(used.map { interval.bucketStart($0) })
                let kept = list.filter { $0.openTimeMillis < end && !occupied.contains($0.openTimeMillis) }
                used += kept.map(\.openTimeMillis)
                assembly.add(bars: kept)
            }
        }
        guard !covered.isEmpty else { return nil }

        // Ticks of every source the tick table or the tail holds for the asset, outside its covered span.
        var tickSources = Set(tail.seriesStarts(asset: query.asset).keys)
        let tickSnapshot = try await self.table.snapshot()
        for entry in try await catalog.series(ticks: tickSnapshot, candles: snapshot)
        where entry.asset == query.asset && entry.lastTickMillis != nil {
            tickSources.insert(entry.source)
        }
        if let wanted = query.sources { tickSources.formIntersection(wanted) }
        var segments: [Range<Int64>: Set<ProviderID>] = [:]
        for source in tickSources {
            guard let span = covered[source] else {
                segments[query.fromMillis..<query.toMillis, default: []].insert(source)
                continue
            }
            if query.fromMillis < span.lowerBound { segments[query.fromMillis..<span.lowerBound, default: []].insert(source) }
            if span.upperBound < query.toMillis { segments[span.upperBound..<query.toMillis, default: []].insert(source) }
        }
        for (segment, sources) in segments {
            assembly.add(ticks: try await range(asset: query.asset, sources: sources, from: segment.lowerBound,
                                                to: segment.upperBound, asOfVersion: nil))
        }
        return assembly.candles()
    }
}
