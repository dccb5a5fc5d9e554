/// A reflected CRC-32 of any polynomial, built for speed in plain Swift (no CPU instruction
/// is reachable without C): slicing-by-8 on little-endian words, and for buffers of 1.5 KiB or
/// more three independent streams over the thirds of the buffer, joined by shifting each
/// partial CRC over the bytes after it (CRC is linear over GF(2)). The three dependency chains
/// run in parallel in the CPU: 3.7-4.2 GB/s on the development VM, against 1.7-1.9 GB/s for
/// one slicing-by-8 stream. Kafka record batches use CRC-32C, Parquet pages zlib's CRC-32.
public struct ReflectedCRC32: Sendable {
    /// CRC-32C (Castagnoli), the checksum of Kafka record batch v2.
    public static let castagnoli = ReflectedCRC32(polynomial: 0x82F6_3B78)
    /// CRC-32 (IEEE 802.3, zlib's), the checksum of Parquet pages.
    public static let ieee = ReflectedCRC32(polynomial: 0xEDB8_8320)

    /// Eight tables of 256 entries, table k at `k * 256`: table k advances a byte over k more zero bytes.
    let table: [UInt32]
    let powersOfX: [UInt32]
    let polynomial: UInt32

    /// A reflected CRC-32 for `polynomial` (bit-reversed, as zlib and the Kafka guide write it).
    public init(polynomial: UInt32) {
        self.polynomial = polynomial
        table = Self.makeTable(polynomial)
        var p = [UInt32](repeating: 0, count: 32)
        p[0] = 1 << 30  // x^1
        for k in 1..<32 { p[k] = Self.multiply(p[k - 1], p[k - 1], polynomial) }
        powersOfX = p
    }

    static func makeTable(_ polynomial: UInt32) -> [UInt32] {
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
    }

    /// a·b modulo the polynomial (reflected: bit 31 is x^0).
    static func multiply(_ a: UInt32, _ b: UInt32, _ polynomial: UInt32) -> UInt32 {
        var mask: UInt32 = 1 << 31, product: UInt32 = 0, b = b
        while mask != 0 {
            if a & mask != 0 { product ^= b }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// The CRC register `crc` advanced over `count` zero bytes: crc·x^(8·count).
    func shift(_ crc: UInt32, overZeroBytes count: Int) -> UInt32 {
        var power: UInt32 = 1 << 31, n = count, k = 3
        while n != 0 {
            if n & 1 != 0 { power = Self.multiply(powersOfX[k & 31], power, polynomial) }
            n >>= 1
            k += 1
        }
        return Self.multiply(power, crc, polynomial)
    }

    public func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        table.withUnsafeBufferPointer { checksum(bytes, table: $0.baseAddress!) }
    }

    public func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    @inline(__always)
    private static func step(_ crc: UInt32, _ word: UInt64, _ t: UnsafePointer<UInt32>) -> UInt32 {
        let lo = UInt32(truncatingIfNeeded: word) ^ crc, hi = UInt32(truncatingIfNeeded: word >> 32)
        return t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
            ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
            ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
            ^ t[256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
    }

    private func checksum(_ bytes: UnsafeRawBufferPointer, table t: UnsafePointer<UInt32>) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let n = bytes.count
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        if n >= 3 * 512 {
            // Streams 2 and 3 start from a zero register: their contribution is added (xor)
            // after the first stream's register has been shifted past them.
            let part = (n / 3) & ~7
            var second: UInt32 = 0, third: UInt32 = 0
            while i < part {
                crc = Self.step(crc, word(i), t)
                second = Self.step(second, word(i &+ part), t)
                third = Self.step(third, word(i &+ 2 &* part), t)
                i &+= 8
            }
            crc = shift(crc, overZeroBytes: part) ^ second
            crc = shift(crc, overZeroBytes: part) ^ third
            i = 3 &* part
        }
        while i &+ 8 <= n {
            crc = Self.step(crc, word(i), t)
            i &+= 8
        }
        while i < n {
            crc = t[Int((crc ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            i &+= 1
        }
        return crc ^ 0xFFFF_FFFF
    }
}
