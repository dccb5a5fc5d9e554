/// Drops events a stream delivers twice: the overlap of a rotation (two connections carry the
/// same streams for a while) and replays after a reconnect.
///
/// Identity: trades by (pair, trade id), remembered in a bounded window per pair, because
/// gap repair may deliver older ids after newer ones; ticker quotes and candles by (series,
/// event time), which the venue sends increasing per series, so anything not newer than the
/// last seen is a repeat.
struct StreamEventDeduplicator: Sendable {
    private struct RecentIDs: Sendable {
        var set = Set<Int64>()
        var order: [Int64] = []
        var head = 0
    }

    let window: Int
    private var trades: [String: RecentIDs] = [:]
    private var lastEventTime: [String: Int64] = [:]

    init(window: Int) {
        self.window = max(1, window)
    }

    /// True when the trade was not seen before (and remembers it).
    mutating func admitTrade(pair: String, id: Int64) -> Bool {
        var recent = trades[pair] ?? RecentIDs()
        defer { trades[pair] = recent }
        guard recent.set.insert(id).inserted else { return false }
        if recent.order.count < window {
            recent.order.append(id)
        } else {
            // Ring buffer: forget the oldest id once the window is full.
            recent.set.remove(recent.order[recent.head])
            recent.order[recent.head] = id
            recent.head = (recent.head + 1) % window
        }
        return true
    }

    /// True when `eventTime` is newer than the last event admitted for `series`.
    mutating func admitLatest(series: String, eventTime: Int64) -> Bool {
        if let last = lastEventTime[series], eventTime <= last { return false }
        lastEventTime[series] = eventTime
        return true
    }
}
