/// Decoders for the DELTA_* encodings (Parquet spec: Encodings, "Delta Encoding",
/// "Delta-length byte array", "Delta Strings"), used by data page v2 writers.
enum DeltaDecoder {
    /// Decodes DELTA_BINARY_PACKED values from the start of `region`; returns the values and
    /// the number of bytes consumed. At most `maxCount` values are accepted.
    static func binaryPacked(_ region: ByteRegion, maxCount: Int, column: String) throws -> (values: [Int64], consumed: Int) {
        try region.withUnsafeBytes { p in
            var pos = 0
            func varint() throws -> UInt64 {
                var result: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard pos < p.count else { throw ParquetError("column \(column): truncated DELTA_BINARY_PACKED data") }
                    let b = p[pos]
                    pos += 1
                    result |= UInt64(b & 0x7F) << shift
                    if b & 0x80 == 0 { return result }
                    shift += 7
                    guard shift < 64 else { throw ParquetError("column \(column): DELTA_BINARY_PACKED varint too long") }
                }
            }
            let blockSize = try varint()
            let miniblocks = try varint()
            let total = try varint()
            let first = ThriftZigZag.decode(try varint())
            guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
                  (blockSize / miniblocks) % 32 == 0 else {
                throw ParquetError("column \(column): bad DELTA_BINARY_PACKED block \(blockSize)/\(miniblocks)")
            }
            guard total <= UInt64(maxCount) else {
                throw ParquetError("column \(column): DELTA_BINARY_PACKED declares \(total) values, at most \(maxCount) expected")
            }
            let count = Int(total)
            let perMini = Int(blockSize / miniblocks)
            let minis = Int(miniblocks)
            var out = [Int64]()
            out.reserveCapacity(count)
            if count == 0 { return (out, pos) }
            out.append(first)
            var previous = first
            while out.count < count {
                let minDelta = ThriftZigZag.decode(try varint())
                guard pos + minis <= p.count else { throw ParquetError("column \(column): truncated DELTA_BINARY_PACKED widths") }
                let widthsAt = pos
                pos += minis
                for m in 0..<minis where out.count < count {
                    let width = Int(p[widthsAt + m])
                    guard width <= 64 else { throw ParquetError("column \(column): DELTA_BINARY_PACKED bit width \(width)") }
                    let bytes = perMini * width / 8
                    guard bytes <= p.count - pos else { throw ParquetError("column \(column): truncated DELTA_BINARY_PACKED miniblock") }
                    let take = min(perMini, count - out.count)
                    for k in 0..<take {
                        let delta = unpack(p, at: pos, index: k, width: width)
                        previous = previous &+ minDelta &+ Int64(bitPattern: delta)
                        out.append(previous)
                    }
                    pos += bytes
                }
            }
            return (out, pos)
        }
    }

    @inline(__always) private static func unpack(_ p: UnsafeBufferPointer<UInt8>, at start: Int, index: Int, width: Int) -> UInt64 {
        if width == 0 { return 0 }
        let bit = index * width
        var byte = start + bit / 8
        var shift = bit % 8
        var value: UInt64 = 0
        var got = 0
        while got < width {
            let b = UInt64(p[byte]) >> UInt64(shift)
            value |= b << UInt64(got)
            got += 8 - shift
            shift = 0
            byte += 1
        }
        return width == 64 ? value : value & ((1 << UInt64(width)) - 1)
    }

    /// DELTA_LENGTH_BYTE_ARRAY: lengths, then the concatenated bytes. Calls `emit` with each
    /// value's byte range within `region.buffer`.
    static func lengthByteArray(_ region: ByteRegion, count: Int, column: String, emit: (Range<Int>) throws -> Void) throws -> Int {
        let (lengths, consumed) = try binaryPacked(region, maxCount: count, column: column)
        guard lengths.count == count else {
            throw ParquetError("column \(column): \(lengths.count) lengths for \(count) values")
        }
        var pos = region.range.lowerBound + consumed
        for length in lengths {
            guard length >= 0, length <= Int64(region.range.upperBound - pos) else {
                throw ParquetError("column \(column): byte array length \(length) exceeds page")
            }
            try emit(pos..<(pos + Int(length)))
            pos += Int(length)
        }
        return pos - region.range.lowerBound
    }

    /// DELTA_BYTE_ARRAY: prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY; each value is
    /// the previous value's prefix followed by its suffix.
    static func byteArray(_ region: ByteRegion, count: Int, column: String, emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let (prefixes, consumed) = try binaryPacked(region, maxCount: count, column: column)
        guard prefixes.count == count else {
            throw ParquetError("column \(column): \(prefixes.count) prefix lengths for \(count) values")
        }
        var previous = [UInt8]()
        var index = 0
        _ = try lengthByteArray(try region.dropFirst(consumed, "column \(column): suffixes"), count: count, column: column) { range in
            let prefix = prefixes[index]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw ParquetError("column \(column): prefix length \(prefix) longer than previous value")
            }
            previous.removeSubrange(Int(prefix)...)
            previous.append(contentsOf: region.buffer[range])
            try previous.withUnsafeBufferPointer { try emit($0) }
            index += 1
        }
    }
}
