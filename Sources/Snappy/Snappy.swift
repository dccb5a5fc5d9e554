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

    /// Compresses `input`, appending the compressed block to `out`.
    public static func compress(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + input.count + input.count / 6 + 32)
        var length = UInt64(input.count)
        while length >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        var table = [UInt16](repeating: 0, count: 1 << hashBits)
        var start = 0
        while start < input.count {
            let end = min(start + blockSize, input.count)
            compressBlock(input, start: start, end: end, table: &table, into: &out)
            start = end
        }
    }

    /// Compresses a whole array.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        input.withUnsafeBufferPointer { compress($0, into: &out) }
        return out
    }

    @inline(__always) private static func load32(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt32.self)
    }

    @inline(__always) private static func hash(_ v: UInt32) -> Int {
        Int((v &* 0x1E35_A7BD) >> UInt32(32 - hashBits))
    }

    private static func compressBlock(
        _ src: UnsafeBufferPointer<UInt8>, start: Int, end: Int, table: inout [UInt16], into out: inout [UInt8]
    ) {
        var nextEmit = start
        if end - start >= 16 {
            table.withUnsafeMutableBufferPointer { t in t.update(repeating: 0) }
            let limit = end - 4
            var ip = start + 1
            var skip = 32
            table.withUnsafeMutableBufferPointer { t in
                while ip < limit {
                    let cur = load32(src, ip)
                    let h = hash(cur)
                    let candidate = start + Int(t[h])
                    t[h] = UInt16(truncatingIfNeeded: ip - start)
                    if candidate < ip && load32(src, candidate) == cur {
                        emitLiteral(src, from: nextEmit, to: ip, into: &out)
                        var length = 4
                        while ip + length < end && src[candidate + length] == src[ip + length] { length += 1 }
                        emitCopy(offset: ip - candidate, length: length, into: &out)
                        ip += length
                        nextEmit = ip
                        if ip < limit {
                            // Seed the table with the position just before, like the reference
                            // implementation, so adjacent repeats are found.
                            t[hash(load32(src, ip - 1))] = UInt16(truncatingIfNeeded: ip - 1 - start)
                        }
                        skip = 32
                    } else {
                        ip += skip >> 5
                        skip += 1
                    }
                }
            }
        }
        emitLiteral(src, from: nextEmit, to: end, into: &out)
    }

    private static func emitLiteral(_ src: UnsafeBufferPointer<UInt8>, from: Int, to: Int, into out: inout [UInt8]) {
        let length = to - from
        if length == 0 { return }
        let n = length - 1
        if n < 60 {
            out.append(UInt8(n) << 2)
        } else if n < 256 {
            out.append(60 << 2)
            out.append(UInt8(n))
        } else {
            out.append(61 << 2)
            out.append(UInt8(truncatingIfNeeded: n))
            out.append(UInt8(truncatingIfNeeded: n >> 8))
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: src[from..<to]))
    }

    private static func emitCopy(offset: Int, length: Int, into out: inout [UInt8]) {
        var length = length
        while length >= 68 {
            emitCopy2(offset: offset, length: 64, into: &out)
            length -= 64
        }
        if length > 64 {
            emitCopy2(offset: offset, length: 60, into: &out)
            length -= 60
        }
        if length < 12 && offset < 2048 {
            out.append(UInt8(1 | ((length - 4) << 2) | ((offset >> 8) << 5)))
            out.append(UInt8(truncatingIfNeeded: offset))
        } else {
            emitCopy2(offset: offset, length: length, into: &out)
        }
    }

    @inline(__always) private static func emitCopy2(offset: Int, length: Int, into out: inout [UInt8]) {
        out.append(UInt8(2 | ((length - 1) << 2)))
        out.append(UInt8(truncatingIfNeeded: offset))
        out.append(UInt8(truncatingIfNeeded: offset >> 8))
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
            var ip = header
            var op = 0
            let end = input.count
            while ip < end {
                let tag = input[ip]
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
                        for k in 0..<extra { len |= Int(input[ip + k]) << (8 * k) }
                        ip += extra
                    }
                    len += 1
                    guard len <= end - ip, len <= length - op else { throw SnappyError("snappy: literal overruns its bounds") }
                    (dst.baseAddress! + op).update(from: input.baseAddress! + ip, count: len)
                    ip += len
                    op += len
                    initialized = op
                    continue
                case 1:
                    guard ip < end else { throw SnappyError("snappy: truncated copy") }
                    len = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(input[ip])
                    ip += 1
                case 2:
                    guard ip + 2 <= end else { throw SnappyError("snappy: truncated copy") }
                    len = Int(tag >> 2) + 1
                    offset = Int(input[ip]) | Int(input[ip + 1]) << 8
                    ip += 2
                default:
                    guard ip + 4 <= end else { throw SnappyError("snappy: truncated copy") }
                    len = Int(tag >> 2) + 1
                    offset = Int(input[ip]) | Int(input[ip + 1]) << 8 | Int(input[ip + 2]) << 16 | Int(input[ip + 3]) << 24
                    ip += 4
                }
                guard offset > 0, offset <= op else { throw SnappyError("snappy: copy offset \(offset) outside output") }
                guard len <= length - op else { throw SnappyError("snappy: copy overruns output") }
                let base = dst.baseAddress!
                if offset >= len {
                    (base + op).update(from: base + op - offset, count: len)
                } else {
                    for k in 0..<len { base[op + k] = base[op - offset + k] }
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
