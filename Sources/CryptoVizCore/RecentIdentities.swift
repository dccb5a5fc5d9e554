/// The last `capacity` identities seen, oldest forgotten first: the processor's dedupe of
/// ticks (`EventID`) and of streamed trades (`TradeIdentity`), and the collector's guard
/// against delivering one observation twice.
///
/// In the processor, events older than what is remembered are caught by the lake's exactly-once
/// commits instead (they are replays of committed offsets).
///
/// A ring of the identities in arrival order, and an open-addressing table (linear probing) of
/// ring positions keyed by each identity's hash, computed once: a `Set` hashed the stored hash
/// again on every probe and rehashed every member through a `Hasher` each time it grew, which
/// with the order array was 7 % of the ingest benchmark's CPU (`perf`).
///
/// Inlinable: its users (the processor, the collector) are in other modules, and unspecialised
/// it went through generic metadata and witness tables for every event.
public struct RecentIdentities<ID: Hashable & Sendable>: Sendable {
    public let capacity: Int
    /// Identities by ring position, and their hashes; once full, `next` is the oldest position.
    @usableFromInline var ring: [ID] = []
    @usableFromInline var hashes: [Int] = []
    @usableFromInline var next = 0
    /// Per slot, the hash's low 32 bits (its home slot, and a first comparison that does not
    /// touch `hashes`, a cache miss per probe in `perf`) over the ring position + 1; 0 for an
    /// empty slot. A power of two of slots, at most half full.
    @usableFromInline var slots: [UInt64] = []
    @usableFromInline var members = 0

    @inlinable
    public init(capacity: Int = 1_000_000) {
        precondition(capacity < Int(Int32.max), "capacity \(capacity) is too large")  // slots hold 32-bit positions
        self.capacity = max(1, capacity)
    }

    /// True when `id` is new (and remembers it); false for a duplicate.
    @inlinable
    public mutating func insert(_ id: ID) -> Bool {
        let hash = id.hashValue
        if slotOf(id, hash: hash) != nil { return false }
        let position: Int
        if ring.count < capacity {
            position = ring.count
            ring.append(id)
            hashes.append(hash)
        } else {
            position = next
            next = next + 1 == capacity ? 0 : next + 1
            if let slot = slotOf(position: position) { vacate(slot) }
            ring[position] = id
            hashes[position] = hash
        }
        if (members + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Self.entry(hash: hash, position: position)
        members += 1
        return true
    }

    /// Forgets `id`, for records whose batch could not be committed and will be read again.
    @inlinable
    public mutating func remove(_ id: ID) {
        if let slot = slotOf(id, hash: id.hashValue) { vacate(slot) }
    }

    @inlinable
    public var count: Int { members }

    /// The slot holding `id`, if it is remembered.
    @inlinable
    func slotOf(_ id: ID, hash: Int) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let tag = UInt64(UInt32(truncatingIfNeeded: hash))
        var slot = hash & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry >> 32 == tag {
                let position = Int(UInt32(truncatingIfNeeded: entry)) - 1
                if hashes[position] == hash && ring[position] == id { return slot }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The slot pointing at ring `position`; nil when its identity was removed already.
    @inlinable
    func slotOf(position: Int) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let wanted = Self.entry(hash: hashes[position], position: position)
        var slot = hashes[position] & mask
        while slots[slot] != 0 {
            if slots[slot] == wanted { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Empties `slot`, moving later members of its probe run back so that none is left behind
    /// an empty slot (deletion without tombstones).
    @inlinable
    mutating func vacate(_ slot: Int) {
        let mask = slots.count - 1
        var hole = slot
        var probe = (slot + 1) & mask
        while slots[probe] != 0 {
            let home = Int(slots[probe] >> 32) & mask
            // The member may move into the hole when the hole lies between its home and here.
            if (probe &- home) & mask >= (probe &- hole) & mask {
                slots[hole] = slots[probe]
                hole = probe
            }
            probe = (probe + 1) & mask
        }
        slots[hole] = 0
        members -= 1
    }

    @inlinable
    static func entry(hash: Int, position: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(position + 1)
    }

    /// Doubles the table, placing members by their stored hashes.
    @inlinable
    mutating func grow() {
        let size = Swift.max(16, slots.count * 2)
        var grown = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        for entry in slots where entry != 0 {
            var slot = Int(entry >> 32) & mask
            while grown[slot] != 0 { slot = (slot + 1) & mask }
            grown[slot] = entry
        }
        slots = grown
    }
}
