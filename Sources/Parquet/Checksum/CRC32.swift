/// CRC-32 as zlib, gzip and PNG compute it (IEEE 802.3, reflected polynomial 0xEDB88320):
/// the page checksum of Parquet (parquet.thrift `PageHeader.crc`: "The standard CRC32
/// algorithm is used (with polynomial 0x04C11DB7, the same as in e.g. GZip)").
///
/// Every page written, and every page read that carries a checksum, passes through it, so it
/// is table-driven slicing-by-8 over little-endian words rather than bit by bit. Not the
/// Kafka target's CRC-32C: the polynomial differs, and Parquet must not depend on Kafka.
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

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        table.withUnsafeBufferPointer { checksum(UnsafeRawBufferPointer(bytes), table: $0.baseAddress!) }
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { checksum($0) }
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer, table t: UnsafePointer<UInt32>) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        while i &+ 8 <= n {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let lo = UInt32(truncatingIfNeeded: word) ^ crc, hi = UInt32(truncatingIfNeeded: word >> 32)
            crc = t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
                ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                ^ t[256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
            i &+= 8
        }
        while i < n {
            crc = t[Int((crc ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            i &+= 1
        }
        return crc ^ 0xFFFF_FFFF
    }
}
