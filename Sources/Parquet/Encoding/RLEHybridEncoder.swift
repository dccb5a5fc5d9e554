/// Writes the RLE/bit-packing hybrid encoding used for definition levels, dictionary indices
/// and RLE booleans (Parquet spec: Encodings, "Run Length Encoding / Bit-Packing Hybrid").
///
/// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups
/// of 8. A bit-packed run may only be padded at the very end, so before an RLE run the
/// pending bit-packed values are topped up to a multiple of 8 from the run itself.
enum RLEHybridEncoder {
    static func bitWidth(forMax maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
    }

    /// Appends `count` values produced by `value(i)` encoded with `bitWidth` to `out`.
    static func encode(count: Int, bitWidth: Int, into out: inout [UInt8], value: (Int) -> UInt32) {
        let byteWidth = (bitWidth + 7) / 8
        var pendingStart = 0  // first value not yet written
        var i = 0
        while i < count {
            let v = value(i)
            var runEnd = i + 1
            while runEnd < count && value(runEnd) == v { runEnd += 1 }
            let runLength = runEnd - i
            if runLength >= 8 {
                // Top up the pending bit-packed values to a multiple of 8 from this run.
                var runStart = i
                let pending = i - pendingStart
                if pending > 0 {
                    let topUp = (8 - pending % 8) % 8
                    runStart = i + topUp
                    writeBitPacked(from: pendingStart, to: runStart, bitWidth: bitWidth, into: &out, value: value)
                }
                let remainingRun = runEnd - runStart
                if remainingRun > 0 {
                    out.appendVarint(UInt64(remainingRun) << 1)
                    var x = v
                    for _ in 0..<byteWidth {
                        out.append(UInt8(truncatingIfNeeded: x))
                        x >>= 8
                    }
                }
                pendingStart = runEnd
            }
            i = runEnd
        }
        if pendingStart < count {
            writeBitPacked(from: pendingStart, to: count, bitWidth: bitWidth, into: &out, value: value)
        }
    }

    /// Bit-packs values `start..<end` (padded with zeros to a multiple of 8), LSB first.
    private static func writeBitPacked(from start: Int, to end: Int, bitWidth: Int, into out: inout [UInt8], value: (Int) -> UInt32) {
        let groups = (end - start + 7) / 8
        out.appendVarint(UInt64(groups) << 1 | 1)
        if bitWidth == 0 { return }
        var acc: UInt64 = 0
        var bits = 0
        for i in start..<(start + groups * 8) {
            let v = i < end ? UInt64(value(i)) : 0
            acc |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }
}
