import NIOCore

/// Reads Kafka protocol primitives from a response, throwing `KafkaError.malformedResponse`
/// on short or inconsistent input instead of trapping.
///
/// Counts and lengths are checked against the bytes left, so a hostile length cannot make the
/// client allocate more than the frame it already holds.
struct ProtocolReader {
    var buffer: ByteBuffer
    let flexible: Bool
    let context: String

    init(buffer: ByteBuffer, flexible: Bool, context: String) {
        self.buffer = buffer
        self.flexible = flexible
        self.context = context
    }

    private func short(_ what: String) -> KafkaError {
        .malformed("\(context): truncated reading \(what) (\(buffer.readableBytes) bytes left)")
    }

    mutating func int8() throws -> Int8 {
        guard let v = buffer.readInteger(as: Int8.self) else { throw short("int8") }
        return v
    }
    mutating func int16() throws -> Int16 {
        guard let v = buffer.readInteger(as: Int16.self) else { throw short("int16") }
        return v
    }
    mutating func int32() throws -> Int32 {
        guard let v = buffer.readInteger(as: Int32.self) else { throw short("int32") }
        return v
    }
    mutating func int64() throws -> Int64 {
        guard let v = buffer.readInteger(as: Int64.self) else { throw short("int64") }
        return v
    }
    mutating func bool() throws -> Bool { try int8() != 0 }
    mutating func errorCode() throws -> BrokerErrorCode { BrokerErrorCode(try int16()) }

    mutating func unsignedVarint() throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw short("varint") }
            guard shift <= 28 else { throw KafkaError.malformed("\(context): varint longer than 5 bytes") }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A length prefix: -1 (or compact 0) means null.
    private mutating func lengthPrefix(classicInt32: Bool) throws -> Int? {
        let n: Int
        if flexible {
            let raw = try unsignedVarint()
            if raw == 0 { return nil }
            n = Int(raw) - 1
        } else {
            n = classicInt32 ? Int(try int32()) : Int(try int16())
            if n < 0 { return nil }
        }
        guard n <= buffer.readableBytes else {
            throw KafkaError.malformed("\(context): length \(n) exceeds the \(buffer.readableBytes) bytes left")
        }
        return n
    }

    mutating func nullableString() throws -> String? {
        guard let n = try lengthPrefix(classicInt32: false) else { return nil }
        guard let s = buffer.readString(length: n) else { throw short("string") }
        return s
    }

    mutating func string() throws -> String {
        guard let s = try nullableString() else { throw KafkaError.malformed("\(context): null where a string is required") }
        return s
    }

    mutating func nullableBytesBuffer() throws -> ByteBuffer? {
        guard let n = try lengthPrefix(classicInt32: true) else { return nil }
        guard let s = buffer.readSlice(length: n) else { throw short("bytes") }
        return s
    }

    mutating func bytes() throws -> [UInt8] {
        guard var b = try nullableBytesBuffer() else { return [] }
        return b.readBytes(length: b.readableBytes) ?? []
    }

    /// An array count; nil for a null array. Each element takes at least one byte, so a count
    /// larger than the bytes left is malformed.
    mutating func nullableArrayCount() throws -> Int? {
        try lengthPrefix(classicInt32: true)
    }

    mutating func array<T>(_ body: (inout ProtocolReader) throws -> T) throws -> [T] {
        guard let n = try nullableArrayCount() else { return [] }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try body(&self)) }
        return out
    }

    /// Skips a tagged-field section (KIP-482): every field is `tag, size, bytes`, so unknown
    /// tags are skipped by size.
    mutating func skipTaggedFields() throws {
        guard flexible else { return }
        let count = try unsignedVarint()
        guard count <= buffer.readableBytes else { throw KafkaError.malformed("\(context): \(count) tagged fields in \(buffer.readableBytes) bytes") }
        for _ in 0..<count {
            _ = try unsignedVarint()
            let size = Int(try unsignedVarint())
            guard buffer.readableBytes >= size else { throw short("tagged field") }
            buffer.moveReaderIndex(forwardBy: size)
        }
    }
}
