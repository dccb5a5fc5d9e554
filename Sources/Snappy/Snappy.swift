/// Snappy block compression (format: google/snappy format_description.txt): a varint of the
/// uncompressed length, then literals and back-references with 1, 2 or 4-byte offsets.
/// Parquet's default codec and one of Kafka's; both targets use this one implementation.
///
/// The compressor is a greedy hash matcher: fast, not maximal. The decompressor checks every
/// length and offset against the declared size and a limit, so hostile input throws rather
/// than reading or allocating out of bounds.
public enum Snappy {
    private static let blockSize = 1 << 16
    private static let hashBits = 14

    /// The most bytes `compress` can produce for `count` input bytes.
    public static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    /// Compresses `input`, appending the compressed block to `out`.
    public static func compress(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxCompressedLength(input.count)) { scratch in
            let n = compress(input, to: scratch.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: n))
        }
    }

    /// Compresses a whole array.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: maxCompressedLength(src.count)) { dst, count in
                count = compress(src, to: dst.baseAddress!)
            }
        }
    }

    /// Compresses `input` into `out`, which must hold `maxCompressedLength(input.count)` bytes;
    /// returns the bytes written. Writes through a pointer: appending byte by byte to an array
    /// checked its uniqueness and capacity on every tag.
    public static func compress(_ input: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var op = 0
        var length = UInt64(input.count)
        while length >= 0x80 {
            out[op] = UInt8(truncatingIfNeeded: length) | 0x80
            op += 1
            length >>= 7
        }
        out[op] = UInt8(length)
        op += 1
        guard input.count > 0 else { return op }
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 1 << hashBits) { table in
            var start = 0
            while start < input.count {
                let end = min(start + blockSize, input.count)
                op = compressBlock(input, start: start, end: end, table: table, out: out, op: op,
                                   outLimit: maxCompressedLength(input.count))
                start = end
            }
        }
        return op
    }

    @inline(__always) private static func load32(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt32.self)
    }

    @inline(__always) private static func load64(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self)
    }

    @inline(__always) private static func hash(_ v: UInt32) -> Int {
        Int((v &* 0x1E35_A7BD) >> UInt32(32 - hashBits))
    }

    /// The length of the common run at `a` and `b` (a < b), up to `end`, compared 8 bytes at a time.
    @inline(__always) private static func matchLength(_ src: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int, end: Int) -> Int {
        var n = 0
        while b + n + 8 <= end {
            let x = load64(src, a + n) ^ load64(src, b + n)
            if x != 0 { return n + x.trailingZeroBitCount >> 3 }
            n += 8
        }
        while b + n < end && src[a + n] == src[b + n] { n += 1 }
        return n
    }

    private static func compressBlock(
        _ src: UnsafeBufferPointer<UInt8>, start: Int, end: Int, table t: UnsafeMutableBufferPointer<UInt16>,
        out: UnsafeMutablePointer<UInt8>, op: Int, outLimit: Int
    ) -> Int {
        var op = op
        var nextEmit = start
        if end - start >= 16 {
            t.update(repeating: 0)
            let limit = end - 4
            var ip = start + 1
            var skip = 32
            while ip < limit {
                let cur = load32(src, ip)
                let h = hash(cur)
                let candidate = start + Int(t[h])
                t[h] = UInt16(truncatingIfNeeded: ip - start)
                if candidate < ip && load32(src, candidate) == cur {
                    op = emitLiteral(src, from: nextEmit, to: ip, out: out, op: op, limit: outLimit)
                    let length = 4 + matchLength(src, candidate + 4, ip + 4, end: end)
                    op = emitCopy(offset: ip - candidate, length: length, out: out, op: op)
                    ip += length
                    nextEmit = ip
                    if ip < limit {
                        // Seed the table with the position just before, like the reference
                        // implementation, so adjacent repeats are found.
                        t[hash(load32(src, ip - 1))] = UInt16(truncatingIfNeeded: ip - 1 - start)
                    }
                    skip = 32
                } else {
                    // The step grows by one every 32 misses. The reference implementation grows
                    // it by a 32nd each miss (geometrically); tried here (2e8c5cc), it moved the
                    // write within noise and made reads of its files slower on the tick schema.
                    ip += skip >> 5
                    skip += 1
                }
            }
        }
        return emitLiteral(src, from: nextEmit, to: end, out: out, op: op, limit: outLimit)
    }

    @inline(__always) private static func emitLiteral(
        _ src: UnsafeBufferPointer<UInt8>, from: Int, to: Int, out: UnsafeMutablePointer<UInt8>, op: Int, limit: Int
    ) -> Int {
        let length = to - from
        if length == 0 { return op }
        var op = op
        let n = length - 1
        if n < 60 {
            out[op] = UInt8(n) << 2
            op += 1
        } else if n < 256 {
            out[op] = 60 << 2
            out[op + 1] = UInt8(n)
            op += 2
        } else {
            out[op] = 61 << 2
            out[op + 1] = UInt8(truncatingIfNeeded: n)
            out[op + 2] = UInt8(truncatingIfNeeded: n >> 8)
            op += 3
        }
        if length <= 16 && src.count - from >= 16 && limit - op >= 16 {
            // Short literals (most of them) as two unaligned words, as the decompressor reads
            // them: no call into memmove. The bytes past `length` are overwritten by what
            // follows, or lie past the end of the output within its capacity `limit`.
            let from = UnsafeRawPointer(src.baseAddress! + from)
            let to = UnsafeMutableRawPointer(out + op)
            to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (to + 8).storeBytes(of: (from + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else {
            (out + op).update(from: src.baseAddress! + from, count: length)
        }
        return op + length
    }

    @inline(__always) private static func emitCopy(offset: Int, length: Int, out: UnsafeMutablePointer<UInt8>, op: Int) -> Int {
        var length = length
        var op = op
        while length >= 68 {
            op = emitCopy2(offset: offset, length: 64, out: out, op: op)
            length -= 64
        }
        if length > 64 {
            op = emitCopy2(offset: offset, length: 60, out: out, op: op)
            length -= 60
        }
        if length < 12 && offset < 2048 {
            out[op] = UInt8(1 | ((length - 4) << 2) | ((offset >> 8) << 5))
            out[op + 1] = UInt8(truncatingIfNeeded: offset)
            return op + 2
        }
        return emitCopy2(offset: offset, length: length, out: out, op: op)
    }

    @inline(__always) private static func emitCopy2(offset: Int, length: Int, out: UnsafeMutablePointer<UInt8>, op: Int) -> Int {
        out[op] = UInt8(2 | ((length - 1) << 2))
        out[op + 1] = UInt8(truncatingIfNeeded: offset)
        out[op + 2] = UInt8(truncatingIfNeeded: offset >> 8)
        return op + 3
    }

    /// Reads the uncompressed length a Snappy block declares.
    public static func uncompressedLength(_ input: UnsafeBufferPointer<UInt8>) throws -> (length: Int, headerBytes: Int) {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var pos = 0
        while true {
            guard pos < input.count, pos < 5 else { throw SnappyError("snappy: bad length header") }
            let b = input[pos]
            pos += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard result <= UInt64(UInt32.max) else { throw SnappyError("snappy: length \(result) too large") }
        return (Int(result), pos)
    }

    /// Decompresses a Snappy block; throws unless it expands to a length within `maxLength`
    /// and every copy stays within the output written so far.
    public static func decompress(_ input: UnsafeBufferPointer<UInt8>, maxLength: Int) throws -> [UInt8] {
        let (length, header) = try uncompressedLength(input)
        guard length <= maxLength else {
            throw SnappyError("snappy: declared length \(length) exceeds limit \(maxLength)")
        }
        // A Snappy element expands at most ~22x (a 3-byte copy of 64 bytes), so a larger claim is corrupt.
        guard length <= (input.count - header) * 22 + 64 else {
            throw SnappyError("snappy: declared length \(length) impossible for \(input.count) input bytes")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { dst, initialized in
            guard length > 0 else {
                guard input.count == header else { throw SnappyError("snappy: data after an empty block") }
                return
            }
            let src = input.baseAddress!
            let out = dst.baseAddress!
            var ip = header
            var op = 0
            let end = input.count
            while ip < end {
                let tag = src[ip]
                ip += 1
                var len: Int
                var offset: Int
                switch tag & 3 {
                case 0:
                    len = Int(tag >> 2)
                    if len >= 60 {
                        let extra = len - 59
                        guard ip + extra <= end else { throw SnappyError("snappy: truncated literal length") }
                        len = 0
                        for k in 0..<extra { len |= Int(src[ip + k]) << (8 * k) }
                        ip += extra
                    }
                    len += 1
                    guard len <= end - ip, len <= length - op else { throw SnappyError("snappy: literal overruns its bounds") }
                    if len <= 16 && end - ip >= 16 && length - op >= 16 {
                        // Short literals (most of them) as two unaligned words; the bytes past
                        // `len` are overwritten by what follows.
                        let raw = UnsafeMutableRawPointer(out + op)
                        raw.storeBytes(of: UnsafeRawPointer(src + ip).loadUnaligned(as: UInt64.self), as: UInt64.self)
                        (raw + 8).storeBytes(of: UnsafeRawPointer(src + ip + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    } else {
                        (out + op).update(from: src + ip, count: len)
                    }
                    ip += len
                    op += len
                    initialized = op
                    continue
                case 1:
                    guard ip < end else { throw SnappyError("snappy: truncated copy") }
                    len = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(src[ip])
                    ip += 1
                case 2:
                    guard ip + 2 <= end else { throw SnappyError("snappy: truncated copy") }
                    len = Int(tag >> 2) + 1
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8
                    ip += 2
                default:
                    guard ip + 4 <= end else { throw SnappyError("snappy: truncated copy") }
                    len = Int(tag >> 2) + 1
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8 | Int(src[ip + 2]) << 16 | Int(src[ip + 3]) << 24
                    ip += 4
                }
                guard offset > 0, offset <= op else { throw SnappyError("snappy: copy offset \(offset) outside output") }
                guard len <= length - op else { throw SnappyError("snappy: copy overruns output") }
                if offset >= 8 && length - op >= len + 8 {
                    // Word at a time: each word read lies wholly before the word written, also
                    // when source and destination overlap (offset < len).
                    let from = UnsafeRawPointer(out + op - offset)
                    let to = UnsafeMutableRawPointer(out + op)
                    var k = 0
                    while k < len {
                        (to + k).storeBytes(of: (from + k).loadUnaligned(as: UInt64.self), as: UInt64.self)
                        k += 8
                    }
                } else if offset >= len {
                    (out + op).update(from: out + op - offset, count: len)
                } else {
                    for k in 0..<len { out[op + k] = out[op - offset + k] }
                }
                op += len
                initialized = op
            }
            guard op == length else { throw SnappyError("snappy: produced \(op) bytes, header declared \(length)") }
        }
    }
}

/// Snappy input that is not a valid block, or that expands beyond the caller's limit.
public struct SnappyError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
