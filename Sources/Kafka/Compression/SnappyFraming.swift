import Snappy

/// Snappy as Kafka carries it: librdkafka writes one raw Snappy block, the Java client the
/// xerial framing (`SnappyOutputStream`: magic, version, then length-prefixed blocks). The
/// block codec itself is the shared `Snappy` target.
enum SnappyFraming {
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { "snappy: \(reason)" }
    }

    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Blocks no larger than the Java client's default (32 KiB) keep the framed form readable everywhere.
    static let xerialBlockSize = 32 * 1024

    /// Xerial-framed compression, as Kafka's Java client writes snappy batches.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = xerialMagic
        out += [0, 0, 0, 1, 0, 0, 0, 1]
        var start = 0
        repeat {
            let end = min(start + xerialBlockSize, input.count)
            let block = input[start..<end].withUnsafeBufferPointer { chunk in
                var compressed: [UInt8] = []
                Snappy.compress(chunk, into: &compressed)
                return compressed
            }
            let n = UInt32(block.count)
            out += [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
            out += block
            start = end
        } while start < input.count
        return out
    }

    /// Decompresses either a raw snappy block (librdkafka) or xerial framing (Java client),
    /// producing at most `limit` bytes.
    static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        if input.count >= 16 && Array(input[0..<8]) == xerialMagic {
            var out: [UInt8] = []
            var pos = 16
            while pos < input.count {
                guard pos + 4 <= input.count else { throw Failure(reason: "truncated xerial block header") }
                let n = Int(UInt32(input[pos]) << 24 | UInt32(input[pos + 1]) << 16 | UInt32(input[pos + 2]) << 8 | UInt32(input[pos + 3]))
                pos += 4
                guard n <= input.count - pos else { throw Failure(reason: "xerial block of \(n) bytes exceeds input") }
                out += try block(input[pos..<(pos + n)], limit: limit - out.count)
                pos += n
            }
            return out
        }
        return try block(input[...], limit: limit)
    }

    private static func block(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        do {
            return try input.withUnsafeBufferPointer { try Snappy.decompress($0, maxLength: max(limit, 0)) }
        } catch let error as SnappyError {
            throw Failure(reason: error.message.replacingPrefix("snappy: "))
        }
    }
}

private extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
