/// The fired and resolved events of one alerts directory, numbered by position (0-based,
/// gap-free): the newest `limit` in memory for the API, and the journal (`history.jsonl`)
/// on disk.
///
/// The journal is bounded: once it holds twice `limit` events it is rewritten to the newest
/// `limit`, but never past what the lake's `alerts` table is known to hold when the history is
/// exported there (`exported`), so an event reaches the lake even after a crash or a lake
/// outage. Positions survive the rewrite (the journal's header carries its first position).
struct AlertHistory: Sendable {
    /// A page of the history, newest first.
    struct Page: Sendable {
        var events: [AlertEvent]
        var nextCursor: Int?
    }

    private let store: AlertStore
    private let limit: Int
    /// Whether a lake table receives the history: then the journal keeps what it lacks.
    private let exports: Bool
    /// The newest events, oldest first; `tailStart` is the position of the first.
    private var tail: [AlertEvent]
    private var tailStart: Int
    /// Position of the journal's first event.
    private var journalBase: Int
    /// Events before this position are in the lake table; nil until the exporter has said.
    private(set) var exported: Int?

    init(store: AlertStore, limit: Int, exports: Bool) throws(AlertsError) {
        self.store = store
        self.limit = max(1, limit)
        self.exports = exports
        let journal = try store.loadHistory()
        journalBase = journal.base
        tail = Array(journal.events.suffix(self.limit))
        tailStart = journal.base + journal.events.count - tail.count
    }

    /// The position the next event gets.
    var end: Int { tailStart + tail.count }

    /// Journals and keeps `events`; a journal failure is thrown after they are kept in memory.
    mutating func append(_ events: [AlertEvent]) throws(AlertsError) {
        guard !events.isEmpty else { return }
        tail += events
        if tail.count > limit {
            let drop = tail.count - limit
            tail.removeFirst(drop)
            tailStart += drop
        }
        try store.appendHistory(events)
        try trimJournalIfLong()
    }

    /// Events newest first, `count` of them, strictly before position `before`.
    func page(count: Int, before: Int?) -> Page {
        let stop = min(before ?? Int.max, end)
        let start = max(tailStart, stop - count)
        guard stop > start else { return Page(events: [], nextCursor: nil) }
        let events = Array(tail[(start - tailStart)..<(stop - tailStart)].reversed())
        return Page(events: events, nextCursor: start > tailStart ? start : nil)
    }

    /// Up to `count` events from position `from` on, with their positions (from the journal
    /// when memory no longer holds them). Positions the journal no longer holds are skipped.
    func events(from: Int, count: Int) throws(AlertsError) -> [(position: Int, event: AlertEvent)] {
        let first = max(from, journalBase)
        guard first < end else { return [] }
        let stop = min(end, first + count)
        if first >= tailStart {
            return (first..<stop).map { ($0, tail[$0 - tailStart]) }
        }
        let journal = try store.loadHistory()
        return (first..<stop).compactMap { p in
            let i = p - journal.base
            return journal.events.indices.contains(i) ? (p, journal.events[i]) : nil
        }
    }

    /// Records that the lake holds every event before `position`. A lake that holds more than
    /// this directory ever wrote (the directory was replaced) renumbers the journal to start
    /// there, so its events and new ones are exported rather than taken as present.
    mutating func markExported(through position: Int) throws(AlertsError) {
        if position > end {
            let journal = try store.loadHistory()
            let shift = position - journal.base
            journalBase = position
            tailStart += shift
            try store.rewriteHistory(base: journalBase, events: journal.events)
        }
        exported = position
        try trimJournalIfLong()
    }

    private mutating func trimJournalIfLong() throws(AlertsError) {
        guard end - journalBase > 2 * limit else { return }
        var keepFrom = end - limit
        if exports { keepFrom = min(keepFrom, exported ?? journalBase) }
        guard keepFrom > journalBase else { return }
        let kept = try events(from: keepFrom, count: end - keepFrom).map(\.event)
        try store.rewriteHistory(base: keepFrom, events: kept)
        journalBase = keepFrom
    }
}
