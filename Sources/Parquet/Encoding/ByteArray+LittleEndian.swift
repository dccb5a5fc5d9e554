/// Appending little-endian integers and varints to byte buffers, as every Parquet encoding
/// and the Thrift compact protocol require.
extension Array where Element == UInt8 {
    @inline(__always) mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }

    @inline(__always) mutating func appendLE32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends the raw in-memory bytes of fixed-width values (little-endian on every
    /// supported platform).
    @inline(__always) mutating func appendRaw<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>) {
        append(contentsOf: UnsafeRawBufferPointer(values))
    }

    /// Overwrites four bytes at `offset` with `value` little-endian.
    mutating func setLE32(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }
}

#if _endian(big)
#error("The Parquet module writes fixed-width values by memory copy and needs a little-endian target")
#endif
