import CryptoVizCore
import Lakehouse

/// Builds the candles of one asset at one request interval from two kinds of input: bars of
/// the candles table (any interval dividing the request's) and ticks, each source's input
/// already cut to its own time segments so that no instant is counted from both.
///
/// Per source and bucket: open is the earliest input's open, close the latest input's close
/// (a bar counts from its open time for its open and from its last millisecond for its
/// close; a tick at its source time), high and low the extremes, volume the sum of the bars'
/// base volumes (ticks carry only a rolling 24 h volume, which does not add up: they add
/// none), count the bars plus ticks used.
///
/// Across sources, the same rule as candles from ticks (`MarketConsensus.candles`), which pools
/// every source's ticks ordered by (time, source): open from the source whose input starts
/// first (ties: the smaller source name), close from the source whose input ends last (ties:
/// the larger name), high and low over all sources, volumes summed (as
/// `CandleSnapshot.bars` sums them across sources), count summed.
struct CandleAssembly {
    let interval: CandleInterval

    private struct Part {
        var openTime: Int64
        var open: Double
        var closeTime: Int64
        var close: Double
        var high: Double
        var low: Double
        var volume: Double?
        var count: Int

        mutating func absorb(_ other: Part) {
            if other.openTime < openTime { openTime = other.openTime; open = other.open }
            if other.closeTime >= closeTime { closeTime = other.closeTime; close = other.close }
            high = max(high, other.high)
            low = min(low, other.low)
            if let v = other.volume { volume = (volume ?? 0) + v }
            count += other.count
        }
    }

    private struct Key: Hashable {
        var source: ProviderID
        var bucket: Int64
    }

    private var parts: [Key: Part] = [:]

    init(interval: CandleInterval) {
        self.interval = interval
    }

    private mutating func add(_ source: ProviderID, _ part: Part) {
        let key = Key(source: source, bucket: interval.bucketStart(part.openTime))
        if parts[key] == nil { parts[key] = part } else { parts[key]!.absorb(part) }
    }

    /// Adds stored bars (non-finite prices skipped); each must lie inside one bucket. Bars in
    /// open-time order (as scans return them) fold run by run, one dictionary access per bucket.
    mutating func add(bars: some Sequence<CandleRecord>) {
        var run: (key: Key, part: Part)?
        for bar in bars where bar.open.isFinite && bar.high.isFinite && bar.low.isFinite && bar.close.isFinite {
            let part = Part(openTime: bar.openTimeMillis, open: bar.open,
                            closeTime: bar.openTimeMillis + bar.interval.millis - 1, close: bar.close,
                            high: bar.high, low: bar.low, volume: Self.finite(bar.baseVolume), count: 1)
            let key = Key(source: bar.source, bucket: interval.bucketStart(bar.openTimeMillis))
            if run?.key == key {
                run!.part.absorb(part)
            } else {
                if let done = run { add(done.key.source, done.part) }
                run = (key, part)
            }
        }
        if let done = run { add(done.key.source, done.part) }
    }

    /// Adds bars already aggregated to the request's buckets (`CandleSnapshot.barScan` over
    /// several sources) as the input of `label` covering `span`: in each bucket they count from
    /// the later of the bucket's start and the span's start, to the earlier of their ends.
    mutating func add(aggregated bars: [CandleBar], as label: ProviderID, covering span: Range<Int64>) {
        for bar in bars where bar.open.isFinite && bar.high.isFinite && bar.low.isFinite && bar.close.isFinite {
            add(label, Part(openTime: max(bar.openTimeMillis, span.lowerBound), open: bar.open,
                            closeTime: min(bar.openTimeMillis + interval.millis, span.upperBound) - 1, close: bar.close,
                            high: bar.high, low: bar.low, volume: Self.finite(bar.baseVolume), count: bar.barCount))
        }
    }

    /// Adds ticks (any sources; non-finite prices skipped).
    mutating func add(ticks: [Tick]) {
        for tick in ticks where tick.price.isFinite {
            add(tick.source, Part(openTime: tick.sourceTimeMillis, open: tick.price, closeTime: tick.sourceTimeMillis,
                                  close: tick.price, high: tick.price, low: tick.price, volume: nil, count: 1))
        }
    }

    /// A volume that can be summed: nil for a missing one (live rollups store none) or NaN.
    private static func finite(_ value: Double?) -> Double? {
        value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// The candles, one per non-empty bucket, by start time.
    func candles() -> [CandleDTO] {
        var byBucket: [Int64: [(ProviderID, Part)]] = [:]
        for (key, part) in parts { byBucket[key.bucket, default: []].append((key.source, part)) }
        return byBucket.keys.sorted().map { bucket in
            let sources = byBucket[bucket]!
            let first = sources.min { ($0.1.openTime, $0.0) < ($1.1.openTime, $1.0) }!
            let last = sources.max { ($0.1.closeTime, $0.0) < ($1.1.closeTime, $1.0) }!
            let volumes = sources.compactMap(\.1.volume)
            return CandleDTO(startMs: bucket, open: first.1.open, high: sources.map(\.1.high).max()!,
                             low: sources.map(\.1.low).min()!, close: last.1.close,
                             volume: volumes.isEmpty ? nil : volumes.reduce(0, +),
                             tickCount: sources.reduce(0) { $0 + $1.1.count })
        }
    }
}
