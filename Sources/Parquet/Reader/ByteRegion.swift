/// A validated window `range` of a byte array: page bodies are either slices of the file or
/// freshly decompressed buffers, and decoders index them through this without copying.
struct ByteRegion {
    let buffer: [UInt8]
    let range: Range<Int>

    init(_ buffer: [UInt8], _ range: Range<Int>) {
        self.buffer = buffer
        self.range = range
    }

    init(_ buffer: [UInt8]) {
        self.init(buffer, 0..<buffer.count)
    }

    var count: Int { range.count }

    /// The sub-region `offset..<offset+length` relative to this one; throws if out of bounds.
    func sub(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws -> ByteRegion {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw ParquetError("\(what()): \(length) bytes at \(offset) exceed the \(count) available")
        }
        return ByteRegion(buffer, (range.lowerBound + offset)..<(range.lowerBound + offset + length))
    }

    func dropFirst(_ n: Int, _ what: @autoclosure () -> String) throws -> ByteRegion {
        try sub(n, count - n, what())
    }

    func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    func le32(at offset: Int) throws -> UInt32 {
        let r = try sub(offset, 4, "length prefix")
        let b = r.range.lowerBound
        return UInt32(buffer[b]) | UInt32(buffer[b + 1]) << 8 | UInt32(buffer[b + 2]) << 16 | UInt32(buffer[b + 3]) << 24
    }
}
