/// The last `capacity` identities seen, oldest forgotten first: the processor's dedupe of
/// ticks (`EventID`) and of streamed trades (`TradeIdentity`), and the collector's guard
/// against delivering one observation twice.
///
/// In the processor, events older than what is remembered are caught by the lake's exactly-once
/// commits instead (they are replays of committed offsets).
///
/// Inlinable: its users (the processor, the collector) are in other modules, and unspecialised
/// it went through generic metadata and witness tables for every event.
public struct RecentIdentities<ID: Hashable & Sendable>: Sendable {
    /// An identity with its hash computed once: the set rehashes every member each time it
    /// grows, and hashing an event id's strings again was half of the dedupe's cost in `perf`.
    @usableFromInline
    struct Keyed: Hashable, Sendable {
        @usableFromInline let id: ID
        @usableFromInline let hash: Int
        @inlinable init(_ id: ID) {
            self.id = id
            hash = id.hashValue
        }
        @inlinable static func == (a: Keyed, b: Keyed) -> Bool { a.hash == b.hash && a.id == b.id }
        @inlinable func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    public let capacity: Int
    @usableFromInline var seen: Set<Keyed> = []
    @usableFromInline var order: [Keyed] = []
    @usableFromInline var head = 0

    @inlinable
    public init(capacity: Int = 1_000_000) {
        self.capacity = max(1, capacity)
    }

    /// True when `id` is new (and remembers it); false for a duplicate.
    @inlinable
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
    @inlinable
    public mutating func remove(_ id: ID) {
        seen.remove(Keyed(id))
    }

    @inlinable
    public var count: Int { seen.count }
}
