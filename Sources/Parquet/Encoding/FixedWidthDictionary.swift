/// An open-addressing hash map from a value's 64-bit pattern to its dense dictionary index, for
/// dictionary encoding of fixed-width columns. Swift's `Dictionary` hashes with SipHash on every
/// lookup; a multiplicative hash of the bits is enough here (keys are data, not attacker-chosen
/// lookups into a long-lived table) and several times faster on 1 M-row chunks.
struct FixedWidthDictionary {
    private var keys: [UInt64]
    private var slots: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always) private static func hash(_ key: UInt64) -> Int {
        let h = (key ^ (key >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// The index of `key`, or nil after inserting it with index `count` (the caller appends the entry).
    @inline(__always) mutating func indexOrInsert(_ key: UInt64) -> UInt32? {
        var slot = Self.hash(key) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if keys[slot] == key { return UInt32(entry) }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        slots[slot] = Int32(count)
        count += 1
        if count * 2 > slots.count { grow() }
        return nil
    }

    private mutating func grow() {
        let oldKeys = keys, oldSlots = slots
        let size = slots.count * 2
        mask = size - 1
        keys = [UInt64](repeating: 0, count: size)
        slots = [Int32](repeating: -1, count: size)
        for i in oldSlots.indices where oldSlots[i] >= 0 {
            var slot = Self.hash(oldKeys[i]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[i]
            slots[slot] = oldSlots[i]
        }
    }
}
