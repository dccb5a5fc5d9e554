/// Reads the RLE/bit-packing hybrid encoding (Parquet spec: Encodings, "Run Length Encoding /
/// Bit-Packing Hybrid") from untrusted bytes into exactly `count` values.
enum RLEHybridDecoder {
    /// Decodes `count` values of `bitWidth` bits from `bytes` into `out` (which holds at least
    /// `count`); throws on truncation, overlong headers or values wider than `bitWidth`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, bitWidth: Int, count: Int, into out: UnsafeMutableBufferPointer<UInt32>) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetError("rle: bit width \(bitWidth) out of range") }
        var pos = 0
        var n = 0
        let byteWidth = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bitWidth)) - 1
        while n < count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < bytes.count else { throw ParquetError("rle: truncated run header after \(n) of \(count) values") }
                let b = bytes[pos]
                pos += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { throw ParquetError("rle: run header varint too long") }
            }
            if header & 1 == 0 {
                let runLength = Int(clamping: header >> 1)
                guard runLength > 0 else { throw ParquetError("rle: empty run") }
                guard pos + byteWidth <= bytes.count else { throw ParquetError("rle: truncated run value") }
                var v: UInt32 = 0
                for k in 0..<byteWidth { v |= UInt32(bytes[pos + k]) << UInt32(8 * k) }
                pos += byteWidth
                guard UInt64(v) <= mask else { throw ParquetError("rle: run value \(v) wider than \(bitWidth) bits") }
                let take = min(runLength, count - n)
                (out.baseAddress! + n).update(repeating: v, count: take)
                n += take
            } else {
                let groups = Int(clamping: header >> 1)
                guard groups > 0 else { throw ParquetError("rle: empty bit-packed run") }
                let values = groups >= (count - n + 7) / 8 ? count - n : groups * 8
                let neededBytes = (values * bitWidth + 7) / 8
                guard neededBytes <= bytes.count - pos else { throw ParquetError("rle: truncated bit-packed run") }
                var acc: UInt64 = 0
                var bits = 0
                var p = pos
                for k in 0..<values {
                    while bits < bitWidth {
                        acc |= UInt64(bytes[p]) << UInt64(bits)
                        p += 1
                        bits += 8
                    }
                    out[n + k] = UInt32(truncatingIfNeeded: acc & mask)
                    acc >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
                n += values
                // Skip the whole declared run (padding included) when it is present.
                pos = groups <= bytes.count ? min(bytes.count, pos + groups * bitWidth) : bytes.count
            }
        }
    }
}
