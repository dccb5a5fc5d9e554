/// A DEFLATE decoder (RFC 1951), canonical-Huffman decoding one bit at a time.
///
/// Slow next to zlib but small and auditable; it only serves fetched gzip batches, which the
/// pipeline does not produce. Output is capped at `limit` bytes and every code, length and
/// distance is validated, so hostile input throws instead of trapping or ballooning.
struct Inflate {
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { "inflate: \(reason)" }
    }

    private struct Huffman {
        var count = [Int](repeating: 0, count: 16)
        var symbol: [Int]

        init(lengths: ArraySlice<Int>) throws {
            symbol = [Int](repeating: 0, count: lengths.count)
            for l in lengths { count[l] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + count[len] }
            for (i, l) in lengths.enumerated() where l != 0 {
                symbol[offsets[l]] = i
                offsets[l] += 1
            }
            count[0] = 0
        }
    }

    private let input: [UInt8]
    private(set) var position: Int
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private var output: [UInt8] = []
    private let limit: Int

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Inflates the raw DEFLATE stream starting at `offset`; returns the bytes and where the stream ended.
    static func inflate(_ input: [UInt8], from offset: Int, limit: Int) throws -> (bytes: [UInt8], end: Int) {
        var state = Inflate(input: input, position: offset, limit: limit)
        try state.run()
        return (state.output, state.position)
    }

    private init(input: [UInt8], position: Int, limit: Int) {
        self.input = input
        self.position = position
        self.limit = limit
    }

    private mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard position < input.count else { throw Failure(reason: "unexpected end of stream") }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(n)) - 1))
        bitBuffer >>= UInt32(n)
        bitCount -= n
        return value
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for len in 1...15 {
            code |= try bits(1)
            let count = h.count[len]
            if code - count < first { return h.symbol[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw Failure(reason: "invalid Huffman code")
    }

    private mutating func run() throws {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1:
                var lengths = [Int](repeating: 8, count: 288)
                for i in 144..<256 { lengths[i] = 9 }
                for i in 256..<280 { lengths[i] = 7 }
                try codes(try Huffman(lengths: lengths[...]), try Huffman(lengths: [Int](repeating: 5, count: 30)[...]))
            case 2: try dynamic()
            default: throw Failure(reason: "reserved block type")
            }
        }
    }

    private mutating func stored() throws {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw Failure(reason: "truncated stored block") }
        let len = Int(input[position]) | Int(input[position + 1]) << 8
        let nlen = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard len == (~nlen & 0xFFFF) else { throw Failure(reason: "stored block length check failed") }
        guard position + len <= input.count else { throw Failure(reason: "truncated stored block") }
        guard output.count + len <= limit else { throw Failure(reason: "output exceeds \(limit) bytes") }
        output.append(contentsOf: input[position..<(position + len)])
        position += len
    }

    private mutating func dynamic() throws {
        let nlen = try bits(5) + 257
        let ndist = try bits(5) + 1
        let ncode = try bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw Failure(reason: "bad code counts") }
        var lengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { lengths[Self.codeLengthOrder[i]] = try bits(3) }
        let lencode = try Huffman(lengths: lengths[...])
        var all = [Int](repeating: 0, count: nlen + ndist)
        var i = 0
        while i < nlen + ndist {
            let symbol = try decode(lencode)
            if symbol < 16 {
                all[i] = symbol
                i += 1
                continue
            }
            var value = 0
            var repeatCount: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw Failure(reason: "repeat with no previous length") }
                value = all[i - 1]
                repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            guard i + repeatCount <= nlen + ndist else { throw Failure(reason: "too many code lengths") }
            for _ in 0..<repeatCount { all[i] = value; i += 1 }
        }
        guard all[256] != 0 else { throw Failure(reason: "no end-of-block code") }
        try codes(try Huffman(lengths: all[0..<nlen]), try Huffman(lengths: all[nlen...]))
    }

    private mutating func codes(_ lencode: Huffman, _ distcode: Huffman) throws {
        while true {
            var symbol = try decode(lencode)
            if symbol < 256 {
                guard output.count < limit else { throw Failure(reason: "output exceeds \(limit) bytes") }
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                symbol -= 257
                guard symbol < 29 else { throw Failure(reason: "invalid length symbol") }
                let len = Self.lengthBase[symbol] + (try bits(Self.lengthExtra[symbol]))
                let dsym = try decode(distcode)
                guard dsym < 30 else { throw Failure(reason: "invalid distance symbol") }
                let dist = Self.distanceBase[dsym] + (try bits(Self.distanceExtra[dsym]))
                guard dist <= output.count else { throw Failure(reason: "distance too far back") }
                guard output.count + len <= limit else { throw Failure(reason: "output exceeds \(limit) bytes") }
                let start = output.count - dist
                for k in 0..<len { output.append(output[start + k]) }
            }
        }
    }
}

/// gzip members (RFC 1952) around DEFLATE, as Kafka clients write gzip batches.
enum Gzip {
    static func decompress(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        while pos < data.count {
            guard data.count - pos >= 18, data[pos] == 0x1F, data[pos + 1] == 0x8B, data[pos + 2] == 8 else {
                throw Inflate.Failure(reason: "not a gzip member at byte \(pos)")
            }
            let flags = data[pos + 3]
            var p = pos + 10
            if flags & 4 != 0 {
                guard p + 2 <= data.count else { throw Inflate.Failure(reason: "truncated gzip header") }
                p += 2 + (Int(data[p]) | Int(data[p + 1]) << 8)
            }
            for bit: UInt8 in [8, 16] where flags & bit != 0 {
                while p < data.count && data[p] != 0 { p += 1 }
                p += 1
            }
            if flags & 2 != 0 { p += 2 }
            guard p < data.count else { throw Inflate.Failure(reason: "truncated gzip header") }
            let (bytes, end) = try Inflate.inflate(data, from: p, limit: limit - out.count)
            out += bytes
            pos = end + 8  // CRC-32 and ISIZE trailer
        }
        return out
    }
}
