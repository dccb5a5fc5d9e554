import CryptoVizCore
import Logging
import Synchronization

/// The recent window of ticks in memory, per asset and source, fed from `crypto-streaming`.
///
/// It lets the live API and dashboard show a tick within a second of its publication,
/// without waiting for the processor's lake commits. Memory is bounded twice: by time
/// (`window`) and by points per series; a repeated event (same source time) is kept once.
public final class HotTail: Sendable {
    public struct Configuration: Sendable {
        /// How much history to keep, by source time, behind the newest tick of each series.
        public var window: Duration = .seconds(24 * 3600)
        /// Points kept per asset and source, whatever the window.
        public var maxPointsPerSeries: Int = 20_000
        /// Distinct asset/source series kept; ticks for further ones are counted and dropped.
        public var maxSeries: Int = 10_000
        public init() {}
    }

    /// An asset as seen from one source.
    public struct SeriesKey: Sendable, Hashable, Comparable {
        public var asset: AssetID
        public var source: ProviderID
        public init(asset: AssetID, source: ProviderID) {
            self.asset = asset
            self.source = source
        }
        public static func < (l: SeriesKey, r: SeriesKey) -> Bool { (l.asset, l.source) < (r.asset, r.source) }
    }

    private struct State {
        var series: [SeriesKey: [Tick]] = [:]
        var subscribers: [Int: AsyncStream<Tick>.Continuation] = [:]
        var nextSubscriber = 0
        var ingested = 0
        var droppedSeries = 0
        var arrivals = LatencyWindow(capacity: 5_000)
        /// Since when the tail holds every tick the lake holds (set after seeding from it).
        var completeSince: Int64?
        /// Series that lost old points to the window or the point bound: complete only from
        /// their first point on.
        var trimmed: Set<SeriesKey> = []
    }

    public let configuration: Configuration
    private let state = Mutex(State())

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Adds a tick; returns false when it was already there (or its series could not be kept).
    @discardableResult
    public func insert(_ tick: Tick) -> Bool {
        let key = SeriesKey(asset: tick.asset, source: tick.source)
        let windowMillis = Int64(configuration.window.components.seconds * 1000)
        let (inserted, subscribers) = state.withLock { state -> (Bool, [AsyncStream<Tick>.Continuation]) in
            if state.series[key] == nil && state.series.count >= configuration.maxSeries {
                state.droppedSeries += 1
                return (false, [])
            }
            var points = state.series[key, default: []]
            // Usually appends at the end; a late tick is placed by binary search.
            var low = points.count
            if let last = points.last, last.sourceTimeMillis >= tick.sourceTimeMillis {
                low = 0
                var high = points.count
                while low < high {
                    let mid = (low + high) / 2
                    if points[mid].sourceTimeMillis < tick.sourceTimeMillis { low = mid + 1 } else { high = mid }
                }
                if low < points.count && points[low].sourceTimeMillis == tick.sourceTimeMillis {
                    return (false, [])
                }
            }
            points.insert(tick, at: low)
            let newest = points[points.count - 1].sourceTimeMillis
            var drop = 0
            while drop < points.count && points[drop].sourceTimeMillis < newest - windowMillis { drop += 1 }
            drop = max(drop, points.count - configuration.maxPointsPerSeries)
            if drop > 0 {
                points.removeFirst(drop)
                state.trimmed.insert(key)
            }
            state.series[key] = points
            state.ingested += 1
            state.arrivals.add(tick.collectedTimeMillis)
            return (true, Array(state.subscribers.values))
        }
        if inserted {
            for continuation in subscribers { continuation.yield(tick) }
        }
        return inserted
    }

    /// The newest tick of every series, sorted by asset then source.
    public func latest() -> [Tick] {
        state.withLock { state in
            state.series.keys.sorted().compactMap { state.series[$0]?.last }
        }
    }

    /// Ticks of `asset` (from `source`, or every source) with source time in `[from, to)`.
    public func ticks(asset: AssetID, source: ProviderID?, fromMillis: Int64, toMillis: Int64) -> [Tick] {
        state.withLock { state in
            var out: [Tick] = []
            for (key, points) in state.series where key.asset == asset && (source == nil || key.source == source) {
                out += points.lazy.filter { $0.sourceTimeMillis >= fromMillis && $0.sourceTimeMillis < toMillis }
            }
            return out.sorted { ($0.sourceTimeMillis, $0.source) < ($1.sourceTimeMillis, $1.source) }
        }
    }

    /// Every tick held with source time at or after `fromMillis`, in no particular order.
    public func ticks(allSince fromMillis: Int64) -> [Tick] {
        state.withLock { state in
            state.series.values.flatMap { $0.filter { $0.sourceTimeMillis >= fromMillis } }
        }
    }

    /// The oldest source time held for `asset`/`source`: history before it comes from the lake.
    public func earliestMillis(asset: AssetID, source: ProviderID?) -> Int64? {
        state.withLock { state in
            state.series.filter { $0.key.asset == asset && (source == nil || $0.key.source == source) }
                .compactMap { $0.value.first?.sourceTimeMillis }.min()
        }
    }

    /// Records that the tail now holds every tick the lake holds from `millis` on (it was
    /// just seeded with them): ranges after that need no lake read, unless a series was trimmed.
    public func markComplete(since millis: Int64) {
        state.withLock { $0.completeSince = millis }
    }

    /// Per source of `asset`, the time from which the tail holds the whole series (its oldest
    /// point, or earlier when the tail is known complete since then); the lake answers before.
    public func seriesStarts(asset: AssetID) -> [ProviderID: Int64] {
        state.withLock { state in
            var starts: [ProviderID: Int64] = [:]
            for (key, points) in state.series where key.asset == asset {
                guard let first = points.first?.sourceTimeMillis else { continue }
                if let complete = state.completeSince, !state.trimmed.contains(key) {
                    starts[key.source] = min(first, complete)
                } else {
                    starts[key.source] = first
                }
            }
            return starts
        }
    }

    /// Whether any series of `asset` is held.
    public func holds(asset: AssetID) -> Bool {
        state.withLock { state in state.series.contains { $0.key.asset == asset && !$0.value.isEmpty } }
    }

    public func assets() -> [AssetID] {
        state.withLock { Set($0.series.keys.map(\.asset)).sorted() }
    }

    public func sources() -> [ProviderID] {
        state.withLock { Set($0.series.keys.map(\.source)).sorted() }
    }

    /// Ticks held, ticks ever inserted, series refused for the series bound.
    public func counts() -> (held: Int, ingested: Int, droppedSeries: Int) {
        state.withLock { s in (s.series.values.reduce(0) { $0 + $1.count }, s.ingested, s.droppedSeries) }
    }

    /// A live feed of every tick inserted from now on. A slow reader loses the oldest
    /// undelivered ticks (bounded buffer), never blocks the tail.
    public func subscribe(buffer: Int = 2_048) -> AsyncStream<Tick> {
        let (stream, continuation) = AsyncStream<Tick>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = state.withLock { state -> Int in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Live subscribers attached now (a closed SSE response must leave none behind).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Reads `crypto-streaming` from `bus` into the tail until cancelled. Malformed messages
    /// are counted in `deadLetters` and skipped.
    public func follow(bus: any Bus, group: String, deadLetters: DeadLetterQueue, logger: Logger) async throws {
        let consumer = try await bus.consumer(group: group, topics: [BusTopics.streaming], listener: RebalanceListener())
        let codec = TickMessageCodec()
        defer { Task { await consumer.close() } }
        while !Task.isCancelled {
            let records: [BusRecord]
            do {
                records = try await consumer.poll(maxRecords: 2_000, maxWait: .milliseconds(200))
            } catch is CancellationError {
                break
            }
            guard !records.isEmpty else { continue }
            var next: [BusPartition: Int64] = [:]
            for record in records {
                next[record.partition] = record.offset + 1
                do {
                    insert(try codec.decode(record.value).tick)
                } catch where error.kind == .unknownType && error.messageType == "trade" {
                    // Streamed trades share the live topic; the tail keeps ticks only.
                    continue
                } catch {
                    deadLetters.add(record, reason: error.kind.rawValue, detail: error.detail)
                }
            }
            try? await consumer.commit(next)
        }
        logger.info("hot tail stopped", metadata: ["group": "\(group)"])
    }
}
