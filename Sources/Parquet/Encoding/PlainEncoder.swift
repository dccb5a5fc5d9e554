/// PLAIN encoding of the non-null values of a row range (Parquet spec: Encodings, "Plain"):
/// fixed-width values little-endian back to back, booleans bit-packed LSB first, byte arrays
/// as a 4-byte little-endian length followed by the bytes.
enum PlainEncoder {
    static func encode<T: FixedWidthValue>(_ values: [T], validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { v in
            guard let validity else {
                out.appendRaw(UnsafeBufferPointer(rebasing: v[rows]))
                return
            }
            out.reserveCapacity(out.count + rows.count * MemoryLayout<T>.size)
            var runStart = rows.lowerBound
            // Copy maximal runs of present values at once.
            for i in rows where !validity[i] {
                if runStart < i { out.appendRaw(UnsafeBufferPointer(rebasing: v[runStart..<i])) }
                runStart = i + 1
            }
            if runStart < rows.upperBound { out.appendRaw(UnsafeBufferPointer(rebasing: v[runStart..<rows.upperBound])) }
        }
    }

    static func encode(_ values: [Bool], validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        var acc: UInt8 = 0
        var bit: UInt8 = 0
        for i in rows where validity?[i] ?? true {
            if values[i] { acc |= 1 << bit }
            bit += 1
            if bit == 8 {
                out.append(acc)
                acc = 0
                bit = 0
            }
        }
        if bit > 0 { out.append(acc) }
    }

    static func encode(_ values: [String], validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        for i in rows where validity?[i] ?? true {
            StringBytes.with(values[i]) { b in
                out.appendLE32(UInt32(b.count))
                out.append(contentsOf: b)
            }
        }
    }

    static func encode(_ values: ByteStrings, validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        values.bytes.withUnsafeBufferPointer { bytes in
            values.offsets.withUnsafeBufferPointer { offsets in
                out.reserveCapacity(out.count + offsets[rows.upperBound] - offsets[rows.lowerBound] + 4 * rows.count)
                for i in rows where validity?[i] ?? true {
                    let (lo, hi) = (offsets[i], offsets[i + 1])
                    out.appendLE32(UInt32(hi - lo))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
                }
            }
        }
    }

    static func encode(_ values: [[UInt8]], validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        for i in rows where validity?[i] ?? true {
            out.appendLE32(UInt32(values[i].count))
            out.append(contentsOf: values[i])
        }
    }
}

/// Access to a String's UTF-8 bytes without copying when it is stored contiguously.
enum StringBytes {
    @inline(__always) static func with<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return try Array(s.utf8).withUnsafeBufferPointer(body)
    }
}
