/// Snappy block compression (google/snappy `format_description.txt`) and the xerial framing
/// used by Kafka's Java client (`SnappyOutputStream`: magic, version, then length-prefixed blocks).
///
/// The compressor is a greedy single-probe hash matcher: fast, not maximal. The decompressor
/// validates every length and offset against the declared output size, so hostile input throws
/// rather than reading or allocating out of bounds.
enum Snappy {
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { "snappy: \(reason)" }
    }

    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Blocks no larger than the Java client's default (32 KiB) keep the framed form readable everywhere.
    static let xerialBlockSize = 32 * 1024

    // MARK: Compression

    static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 6 + 32)
        var n = UInt32(input.count)
        while n >= 0x80 { out.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
        out.append(UInt8(n))
        input.withUnsafeBufferPointer { src in
            var start = 0
            while start < src.count {
                let end = min(start + 65536, src.count)
                compressBlock(src, start, end, &out)
                start = end
            }
        }
        return out
    }

    private static func emitLiteral(_ src: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ out: inout [UInt8]) {
        var pos = from
        while pos < to {
            let len = min(to - pos, 65536)
            let n = len - 1
            if n < 60 {
                out.append(UInt8(n << 2))
            } else if n < 256 {
                out.append(60 << 2); out.append(UInt8(n))
            } else {
                out.append(61 << 2); out.append(UInt8(n & 0xFF)); out.append(UInt8(n >> 8))
            }
            out.append(contentsOf: src[pos..<(pos + len)])
            pos += len
        }
    }

    private static func emitCopy(offset: Int, length: Int, _ out: inout [UInt8]) {
        var remaining = length
        while remaining > 0 {
            // 2-byte-offset copies take lengths 1...64; keep >= 4 left for a final chunk.
            var len = min(remaining, 64)
            if remaining - len > 0 && remaining - len < 4 { len = remaining - 4 }
            if len >= 4 && len <= 11 && offset < 2048 {
                out.append(UInt8(1 | ((len - 4) << 2) | ((offset >> 8) << 5)))
                out.append(UInt8(offset & 0xFF))
            } else {
                out.append(UInt8(2 | ((len - 1) << 2)))
                out.append(UInt8(offset & 0xFF))
                out.append(UInt8(offset >> 8))
            }
            remaining -= len
        }
    }

    @inline(__always)
    private static func load32(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
    }

    private static func compressBlock(_ src: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ out: inout [UInt8]) {
        let tableBits = 14
        var table = [Int32](repeating: -1, count: 1 << tableBits)
        var literalStart = start
        var i = start
        let limit = end - 4
        table.withUnsafeMutableBufferPointer { table in
            while i <= limit {
                let word = load32(src, i)
                let h = Int((word &* 0x1E35_A7BD) >> UInt32(32 - tableBits))
                let candidate = Int(table[h])
                table[h] = Int32(i)
                if candidate >= start, i - candidate < 65536, load32(src, candidate) == word {
                    var matchLen = 4
                    while i + matchLen < end && src[candidate + matchLen] == src[i + matchLen] { matchLen += 1 }
                    if literalStart < i { emitLiteral(src, literalStart, i, &out) }
                    emitCopy(offset: i - candidate, length: matchLen, &out)
                    i += matchLen
                    literalStart = i
                } else {
                    i += 1
                }
            }
        }
        if literalStart < end { emitLiteral(src, literalStart, end, &out) }
    }

    /// Xerial-framed compression, as Kafka's Java client writes snappy batches.
    static func compressFramed(_ input: [UInt8]) -> [UInt8] {
        var out = xerialMagic
        out += [0, 0, 0, 1, 0, 0, 0, 1]
        var start = 0
        repeat {
            let end = min(start + xerialBlockSize, input.count)
            let block = compress(Array(input[start..<end]))
            let n = UInt32(block.count)
            out += [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
            out += block
            start = end
        } while start < input.count
        return out
    }

    // MARK: Decompression

    /// Decompresses either a raw snappy block (librdkafka) or xerial framing (Java client).
    static func decompressAny(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        if input.count >= 16 && Array(input[0..<8]) == xerialMagic {
            var out: [UInt8] = []
            var pos = 16
            while pos < input.count {
                guard pos + 4 <= input.count else { throw Failure(reason: "truncated xerial block header") }
                let n = Int(UInt32(input[pos]) << 24 | UInt32(input[pos + 1]) << 16 | UInt32(input[pos + 2]) << 8 | UInt32(input[pos + 3]))
                pos += 4
                guard n <= input.count - pos else { throw Failure(reason: "xerial block of \(n) bytes exceeds input") }
                out += try decompress(input[pos..<(pos + n)], limit: limit - out.count)
                pos += n
            }
            return out
        }
        return try decompress(input[...], limit: limit)
    }

    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        try input.withUnsafeBufferPointer { src -> [UInt8] in
            var pos = 0
            var length: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < src.count, shift < 35 else { throw Failure(reason: "bad length preamble") }
                let b = src[pos]; pos += 1
                length |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            guard length <= UInt64(max(limit, 0)) else {
                throw Failure(reason: "declared size \(length) exceeds the limit of \(limit) bytes")
            }
            let total = Int(length)
            var out = [UInt8](repeating: 0, count: total)
            var o = 0
            try out.withUnsafeMutableBufferPointer { dst in
                while pos < src.count {
                    let tag = src[pos]; pos += 1
                    switch tag & 3 {
                    case 0:
                        var len = Int(tag >> 2)
                        if len >= 60 {
                            let extra = len - 59
                            guard pos + extra <= src.count else { throw Failure(reason: "truncated literal length") }
                            len = 0
                            for k in 0..<extra { len |= Int(src[pos + k]) << (8 * k) }
                            pos += extra
                        }
                        len += 1
                        guard len <= src.count - pos, len <= total - o else { throw Failure(reason: "literal overruns") }
                        for k in 0..<len { dst[o + k] = src[pos + k] }
                        pos += len; o += len
                    default:
                        let len: Int
                        let offset: Int
                        switch tag & 3 {
                        case 1:
                            guard pos < src.count else { throw Failure(reason: "truncated copy") }
                            len = Int((tag >> 2) & 7) + 4
                            offset = Int(tag >> 5) << 8 | Int(src[pos]); pos += 1
                        case 2:
                            guard pos + 2 <= src.count else { throw Failure(reason: "truncated copy") }
                            len = Int(tag >> 2) + 1
                            offset = Int(src[pos]) | Int(src[pos + 1]) << 8; pos += 2
                        default:
                            guard pos + 4 <= src.count else { throw Failure(reason: "truncated copy") }
                            len = Int(tag >> 2) + 1
                            offset = Int(src[pos]) | Int(src[pos + 1]) << 8 | Int(src[pos + 2]) << 16 | Int(src[pos + 3]) << 24
                            pos += 4
                        }
                        guard offset > 0, offset <= o, len <= total - o else { throw Failure(reason: "copy out of range") }
                        for k in 0..<len { dst[o + k] = dst[o - offset + k] }
                        o += len
                    }
                }
            }
            guard o == total else { throw Failure(reason: "produced \(o) of \(total) declared bytes") }
            return out
        }
    }
}
