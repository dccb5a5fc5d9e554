/// The LZ4 frame format (lz4 `doc/lz4_Frame_format.md`) around LZ4 blocks
/// (`doc/lz4_Block_format.md`), as librdkafka and the Java client write lz4 batches.
///
/// Checksums are skipped (the batch CRC-32C already covers the compressed bytes); every length
/// and offset is validated and output is capped at `limit`.
enum LZ4Frame {
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { "lz4: \(reason)" }
    }

    static func decompress(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        while pos < data.count {
            guard data.count - pos >= 7 else { throw Failure(reason: "truncated frame header") }
            let magic = UInt32(data[pos]) | UInt32(data[pos + 1]) << 8 | UInt32(data[pos + 2]) << 16 | UInt32(data[pos + 3]) << 24
            guard magic == 0x184D_2204 else { throw Failure(reason: "bad frame magic 0x\(String(magic, radix: 16))") }
            let flags = data[pos + 4]
            guard flags >> 6 == 1 else { throw Failure(reason: "unsupported frame version") }
            let blockChecksum = flags & 0x10 != 0
            let contentChecksum = flags & 0x04 != 0
            var p = pos + 6 + (flags & 0x08 != 0 ? 8 : 0) + (flags & 0x01 != 0 ? 4 : 0) + 1
            while true {
                guard p + 4 <= data.count else { throw Failure(reason: "truncated block size") }
                let raw = UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
                p += 4
                if raw == 0 { break }
                let size = Int(raw & 0x7FFF_FFFF)
                guard size <= data.count - p else { throw Failure(reason: "block of \(size) bytes exceeds input") }
                if raw & 0x8000_0000 != 0 {
                    guard out.count + size <= limit else { throw Failure(reason: "output exceeds \(limit) bytes") }
                    out += data[p..<(p + size)]
                } else {
                    try decodeBlock(data[p..<(p + size)], into: &out, limit: limit)
                }
                p += size + (blockChecksum ? 4 : 0)
            }
            pos = p + (contentChecksum ? 4 : 0)
        }
        return out
    }

    private static func decodeBlock(_ block: ArraySlice<UInt8>, into out: inout [UInt8], limit: Int) throws {
        var p = block.startIndex
        let end = block.endIndex
        let blockStart = out.count
        while p < end {
            let token = block[p]; p += 1
            var literal = Int(token >> 4)
            if literal == 15 {
                while true {
                    guard p < end else { throw Failure(reason: "truncated literal length") }
                    let b = block[p]; p += 1
                    literal += Int(b)
                    if b != 255 { break }
                }
            }
            guard literal <= end - p, out.count + literal <= limit else { throw Failure(reason: "literal overruns") }
            out += block[p..<(p + literal)]
            p += literal
            if p == end { return }
            guard p + 2 <= end else { throw Failure(reason: "truncated match offset") }
            let offset = Int(block[p]) | Int(block[p + 1]) << 8
            p += 2
            var match = Int(token & 15)
            if match == 15 {
                while true {
                    guard p < end else { throw Failure(reason: "truncated match length") }
                    let b = block[p]; p += 1
                    match += Int(b)
                    if b != 255 { break }
                }
            }
            match += 4
            guard offset > 0, offset <= out.count - blockStart || offset <= out.count else { throw Failure(reason: "match offset out of range") }
            guard out.count + match <= limit else { throw Failure(reason: "output exceeds \(limit) bytes") }
            let start = out.count - offset
            for k in 0..<match { out.append(out[start + k]) }
        }
    }
}
