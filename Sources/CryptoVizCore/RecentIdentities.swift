/// The last `capacity` identities seen, oldest forgotten first: the processor's dedupe of
/// ticks (`EventID`) and of streamed trades (`TradeIdentity`), and the collector's guard
/// against delivering one observation twice.
///
/// In the processor, events older than what is remembered are caught by the lake's exactly-once
/// commits instead (they are replays of committed offsets).
public struct RecentIdentities<ID: Hashable & Sendable>: Sendable {
    /// An identity with its hash computed once: the set rehashes every member each time it
    /// grows, and hashing an event id's strings again was half of the dedupe's cost in `perf`.
    private struct Keyed: Hashable, Sendable {
        let id: ID
        let hash: Int
        init(_ id: ID) {
            self.id = id
            hash = id.hashValue
        }
        static func == (a: Keyed, b: Keyed) -> Bool { a.hash == b.hash && a.id == b.id }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    public let capacity: Int
    private var seen: Set<Keyed> = []
    private var order: [Keyed] = []
    private var head = 0

    public init(capacity: Int = 1_000_000) {
        self.capacity = max(1, capacity)
    }

    /// True when `id` is new (and remembers it); false for a duplicate.
    public mutating func insert(_ id: ID) -> Bool {
        let id = Keyed(id)
        guard seen.insert(id).inserted else { return false }
        order.append(id)
        if seen.count > capacity {
            seen.remove(order[head])
            head += 1
            if head > 4096 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
        return true
    }

    /// Forgets `id`, for records whose batch could not be committed and will be read again.
    public mutating func remove(_ id: ID) {
        seen.remove(Keyed(id))
    }

    public var count: Int { seen.count }
}
