/// A hash set of byte strings that assigns each distinct value a dense index, for dictionary
/// encoding of BYTE_ARRAY columns (Parquet spec: Encodings, "Dictionary Encoding").
///
/// Keys are compared as bytes, not as Swift `String`s: String equality is Unicode canonical
/// equivalence and would merge distinct byte sequences. Entries live in one contiguous
/// buffer, so adding a value allocates nothing beyond occasional growth.
struct ByteArrayDictionary {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { offsets.count - 1 }

    /// Total bytes of the PLAIN-encoded dictionary page (4-byte length + bytes per entry).
    var plainSize: Int { bytes.count + 4 * count }

    @inline(__always) private static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(p.count)
        var i = 0
        let n = p.count
        let base = UnsafeRawPointer(p.baseAddress)
        while i + 8 <= n {
            h = (h ^ base!.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3
            i += 1
        }
        h ^= h >> 32
        return h &* 0x9E37_79B9_7F4A_7C15
    }

    /// The index of `value`, inserting it if new.
    mutating func index(of value: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let h = Self.hash(value)
        var slot = Int(truncatingIfNeeded: h >> 7) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if hashes[e] == h {
                let start = offsets[e]
                let end = offsets[e + 1]
                if end - start == value.count {
                    let equal = bytes.withUnsafeBufferPointer { b in
                        value.count == 0 || memcmp(b.baseAddress! + start, value.baseAddress!, value.count) == 0
                    }
                    if equal { return UInt32(e) }
                }
            }
            slot = (slot + 1) & mask
        }
        let index = count
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        hashes.append(h)
        slots[slot] = Int32(index)
        if count * 2 > slots.count { grow() }
        return UInt32(index)
    }

    private mutating func grow() {
        let size = slots.count * 2
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
        for (i, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h >> 7) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    /// The entries as strings (decoded as UTF-8, as the column's values were).
    func strings() -> [String] {
        bytes.withUnsafeBufferPointer { b in
            (0..<count).map { String(decoding: UnsafeBufferPointer(rebasing: b[offsets[$0]..<offsets[$0 + 1]]), as: UTF8.self) }
        }
    }

    /// The entries as byte arrays.
    func arrays() -> [[UInt8]] { (0..<count).map { Array(bytes[offsets[$0]..<offsets[$0 + 1]]) } }

    /// Appends the PLAIN encoding of every entry to `out`.
    func appendPlain(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + plainSize)
        for i in 0..<count {
            out.appendLE32(UInt32(offsets[i + 1] - offsets[i]))
            out.append(contentsOf: bytes[offsets[i]..<offsets[i + 1]])
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
