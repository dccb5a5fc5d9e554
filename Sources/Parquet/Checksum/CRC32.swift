/// CRC-32 as zlib, gzip and PNG compute it (IEEE 802.3, reflected polynomial 0xEDB88320):
/// the page checksum of Parquet (parquet.thrift `PageHeader.crc`: "The standard CRC32
/// algorithm is used (with polynomial 0x04C11DB7, the same as in e.g. GZip)").
///
/// Every page written, and every page read that carries a checksum, passes through it, so it
/// is table-driven slicing-by-8 over little-endian words rather than bit by bit, and from
/// 1.5 KiB on runs three independent streams over the thirds of the buffer, joined by shifting
/// each partial CRC over the bytes after it (CRC is linear over GF(2)): the three dependency
/// chains overlap in the CPU. Not the Kafka target's CRC-32C: the polynomial differs, and
/// Parquet must not depend on Kafka (the technique is the same as there).
enum CRC32 {
    static let polynomial: UInt32 = 0xEDB8_8320

    /// Eight tables of 256 entries, table k at `k * 256`: table k advances a byte over k more zero bytes.
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            t[i] = crc
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// x^(2^k) modulo the polynomial, in the reflected bit order, for k in 0..<32.
    static let powersOfX: [UInt32] = {
        var p = [UInt32](repeating: 0, count: 32)
        p[0] = 1 << 30  // x^1
        for k in 1..<32 { p[k] = multiply(p[k - 1], p[k - 1]) }
        return p
    }()

    /// a·b modulo the polynomial (reflected: bit 31 is x^0).
    static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var mask: UInt32 = 1 << 31, product: UInt32 = 0, b = b
        while mask != 0 {
            if a & mask != 0 { product ^= b }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// The CRC register `crc` advanced over `count` zero bytes: crc·x^(8·count).
    static func shift(_ crc: UInt32, overZeroBytes count: Int) -> UInt32 {
        var power: UInt32 = 1 << 31, n = count, k = 3
        while n != 0 {
            if n & 1 != 0 { power = multiply(powersOfX[k & 31], power) }
            n >>= 1
            k += 1
        }
        return multiply(power, crc)
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        table.withUnsafeBufferPointer { checksum(UnsafeRawBufferPointer(bytes), table: $0.baseAddress!) }
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { checksum($0) }
    }

    @inline(__always)
    private static func step(_ crc: UInt32, _ word: UInt64, _ t: UnsafePointer<UInt32>) -> UInt32 {
        let lo = UInt32(truncatingIfNeeded: word) ^ crc, hi = UInt32(truncatingIfNeeded: word >> 32)
        return t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
            ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
            ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
            ^ t[256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer, table t: UnsafePointer<UInt32>) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        if n >= 3 * 512 {
            // Streams 2 and 3 start from a zero register: their contribution is added (xor)
            // after the first stream's register has been shifted past them.
            let part = (n / 3) & ~7
            var second: UInt32 = 0, third: UInt32 = 0
            while i < part {
                crc = step(crc, word(i), t)
                second = step(second, word(i &+ part), t)
                third = step(third, word(i &+ 2 &* part), t)
                i &+= 8
            }
            crc = shift(crc, overZeroBytes: part) ^ second
            crc = shift(crc, overZeroBytes: part) ^ third
            i = 3 &* part
        }
        while i &+ 8 <= n {
            crc = step(crc, word(i), t)
            i &+= 8
        }
        while i < n {
            crc = t[Int((crc ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            i &+= 1
        }
        return crc ^ 0xFFFF_FFFF
    }
}
