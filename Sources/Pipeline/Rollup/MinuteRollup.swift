import CryptoVizCore
import Lakehouse

/// The 1-minute candles of the ticks the processor committed, per (source, asset), in memory:
/// which minutes changed since they were last written, and which are closed.
///
/// **Finality.** A minute is closed once the series has a tick in a later minute, or once the
/// wall clock has passed the minute's end plus `graceMillis`; a closed minute is written with
/// `final = true`, an open one with `final = false`. A tick that arrives for a minute already
/// written final makes it changed again, and it is written again, final (a correction; the
/// read rule takes the latest ingested final row).
///
/// **Horizon.** Each series holds its recent minutes only. Below its horizon (minutes evicted,
/// or older than what was seeded at assignment) the rollup does not hold every tick of a
/// minute, so a tick there is reported as `.beyondHorizon`: the caller rebuilds that minute
/// from the tick table (`load`) instead of adding the tick to a partial bar.
public struct MinuteRollup: Sendable {
    public struct Configuration: Sendable {
        /// How long after a minute's end a still-silent minute counts as closed.
        public var graceMillis: Int64 = 10_000
        /// Written, final minutes kept this many minutes behind a series' latest one (and behind
        /// the wall clock) for late ticks before they are evicted.
        public var retainedMinutes: Int64 = 3
        public init() {}
    }

    /// What adding a tick did.
    public enum Outcome: Sendable, Equatable {
        case changed
        case unchanged
        /// The tick's minute lies below the series' horizon: rebuild it from the tick table.
        case beyondHorizon(SeriesKey, minute: Int64)
    }

    /// The rows to write now, and what writing them settles (`markWritten`).
    public struct Pending: Sendable {
        public var rows: [CandleRecord]
        var written: [(key: SeriesKey, minute: Int64, revision: Int, isFinal: Bool)]
    }

    struct Entry: Sendable {
        var bar: MinuteBar
        /// Bumped by every change; the row written last carried `writtenRevision`.
        var revision = 1
        var writtenRevision = 0
        var finalWritten = false
        var dirty: Bool { revision != writtenRevision }
    }

    struct Series: Sendable {
        var partition: BusPartition?
        var minutes: [Int64: Entry] = [:]
        var latestMinute: Int64 = .min
        /// Minutes below it are not held whole.
        var horizon: Int64
    }

    public let configuration: Configuration
    private(set) var series: [SeriesKey: Series] = [:]
    /// The horizon of series first seen from a partition (where its seeding started).
    private var partitionHorizon: [BusPartition: Int64] = [:]

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether minute `minute` of `key` is closed at wall-clock time `nowMillis`.
    public func isClosed(_ key: SeriesKey, minute: Int64, nowMillis: Int64) -> Bool {
        if let s = series[key], s.latestMinute > minute { return true }
        return nowMillis >= minute + 60_000 + configuration.graceMillis
    }

    /// The bar held for a minute (tests, diagnostics).
    public func bar(_ key: SeriesKey, minute: Int64) -> MinuteBar? {
        series[key]?.minutes[minute]?.bar
    }

    /// Series ticks of `partition` start at `horizon` (a minute start): ticks below it belong to
    /// minutes this rollup did not see whole.
    public mutating func setHorizon(_ horizon: Int64, for partition: BusPartition) {
        partitionHorizon[partition] = horizon
    }

    /// Adds a committed tick read from `partition`.
    @discardableResult
    public mutating func add(_ tick: Tick, partition: BusPartition?) -> Outcome {
        let key = SeriesKey(tick)
        let minute = MinuteBar.minute(of: tick.sourceTimeMillis)
        var s = series[key] ?? Series(partition: partition, horizon: partition.flatMap { partitionHorizon[$0] } ?? .min)
        if s.partition == nil { s.partition = partition }
        defer { series[key] = s }
        if var entry = s.minutes[minute] {
            guard entry.bar.add(tick) else { return .unchanged }
            entry.revision += 1
            s.minutes[minute] = entry
        } else {
            guard minute >= s.horizon else { return .beyondHorizon(key, minute: minute) }
            s.minutes[minute] = Entry(bar: MinuteBar(tick))
        }
        s.latestMinute = max(s.latestMinute, minute)
        return .changed
    }

    /// Replaces a minute with the one built from all its ticks (read from the tick table).
    public mutating func load(_ key: SeriesKey, minute: Int64, ticks: [Tick], partition: BusPartition?) {
        let mine = ticks.filter { SeriesKey($0) == key && MinuteBar.minute(of: $0.sourceTimeMillis) == minute }
        guard var bar = mine.first.map(MinuteBar.init) else { return }
        for tick in mine.dropFirst() { bar.add(tick) }
        var s = series[key] ?? Series(partition: partition, horizon: partition.flatMap { partitionHorizon[$0] } ?? .min)
        let revision = (s.minutes[minute]?.revision ?? 0) + 1
        let written = s.minutes[minute]?.writtenRevision ?? 0
        s.minutes[minute] = Entry(bar: bar, revision: revision, writtenRevision: written,
                                  finalWritten: s.minutes[minute]?.finalWritten ?? false)
        s.latestMinute = max(s.latestMinute, minute)
        series[key] = s
    }

    /// Records that the table already holds this minute's current state (seeding after a
    /// restart), final or not.
    public mutating func markStored(_ key: SeriesKey, minute: Int64, isFinal: Bool) {
        guard var entry = series[key]?.minutes[minute] else { return }
        entry.writtenRevision = entry.revision
        entry.finalWritten = isFinal
        series[key]?.minutes[minute] = entry
    }

    /// Whether the stored `row` already says what the minute held now says (same prices,
    /// market cap, symbol and quote currency).
    public func matches(_ key: SeriesKey, minute: Int64, _ row: CandleRecord) -> Bool {
        guard let bar = series[key]?.minutes[minute]?.bar else { return false }
        return (bar.open, bar.high, bar.low, bar.close) == (row.open, row.high, row.low, row.close)
            && bar.marketCap == row.marketCap && bar.symbol == row.symbol && bar.quoteCurrency == row.quoteCurrency
    }

    /// The rows due at `nowMillis`: every changed minute, and every closed one not yet written
    /// final; all stamped `ingestMillis`. Series read from `frozen` partitions are left out:
    /// their state is incomplete (ticks still to be read back from the lake), and a minute
    /// finalized from it would only be corrected later.
    public func pending(nowMillis: Int64, ingestMillis: Int64, frozen: Set<BusPartition> = []) -> Pending {
        var out = Pending(rows: [], written: [])
        for (key, s) in series where !(s.partition.map { frozen.contains($0) } ?? false) {
            for (minute, entry) in s.minutes {
                let closed = isClosed(key, minute: minute, nowMillis: nowMillis)
                guard entry.dirty || (closed && !entry.finalWritten) else { continue }
                out.rows.append(entry.bar.record(source: key.source, asset: key.asset, isFinal: closed, ingestTimeMillis: ingestMillis))
                out.written.append((key, minute, entry.revision, closed))
            }
        }
        return out
    }

    /// Whether `pending(nowMillis:…)` would return rows.
    public func hasPending(nowMillis: Int64, frozen: Set<BusPartition> = []) -> Bool {
        series.contains { key, s in
            !(s.partition.map { frozen.contains($0) } ?? false) && s.minutes.contains { minute, entry in
                entry.dirty || (!entry.finalWritten && isClosed(key, minute: minute, nowMillis: nowMillis))
            }
        }
    }

    /// The rows of `pending` are committed: their minutes are clean unless they changed since.
    public mutating func markWritten(_ pending: Pending) {
        for w in pending.written {
            guard var entry = series[w.key]?.minutes[w.minute] else { continue }
            if entry.revision == w.revision { entry.writtenRevision = w.revision }
            if w.isFinal { entry.finalWritten = true }
            series[w.key]?.minutes[w.minute] = entry
        }
    }

    /// Drops written final minutes more than `retainedMinutes` behind their series' latest
    /// minute or the wall clock; the series' horizon moves past them. A series' latest minute
    /// always stays: a source whose timestamps lag the clock keeps sending ticks for it, and
    /// each would otherwise cost a rebuild from the tick table.
    public mutating func evict(nowMillis: Int64) {
        let keep = configuration.retainedMinutes * 60_000
        for key in Array(series.keys) {
            guard var s = series[key] else { continue }
            for (minute, entry) in s.minutes where !entry.dirty && entry.finalWritten && minute < s.latestMinute
                && (minute < s.latestMinute - keep || nowMillis >= minute + 60_000 + configuration.graceMillis + keep) {
                s.minutes[minute] = nil
                s.horizon = max(s.horizon, minute + 60_000)
            }
            series[key] = s
        }
    }

    /// Forgets the series read from `partitions` (revoked, or about to be seeded again).
    public mutating func forget(_ partitions: Set<BusPartition>) {
        series = series.filter { _, s in !(s.partition.map { partitions.contains($0) } ?? false) }
        for p in partitions { partitionHorizon[p] = nil }
    }

    /// Minutes held, for tests and stats.
    public var heldMinutes: Int { series.values.reduce(0) { $0 + $1.minutes.count } }
}
