/// Reads Thrift compact-protocol structs from untrusted bytes (Thrift spec: "Thrift Compact
/// protocol encoding").
///
/// Every length and count is checked against the bytes that remain before anything is
/// allocated, and nesting is limited, so a hostile footer throws instead of crashing or
/// exhausting memory.
struct ThriftCompactReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int
    private let maxDepth = 64

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - position }

    /// A field header: its id and wire type.
    struct Field {
        var id: Int16
        var type: UInt8
        /// For booleans the value is carried in the type nibble (1 = true, 2 = false).
        var boolValue: Bool { type == 1 }
    }

    private mutating func readByte() throws -> UInt8 {
        guard position < end else { throw ParquetError("thrift: unexpected end of data") }
        let b = bytes[position]
        position += 1
        return b
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 { throw ParquetError("thrift: varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError("thrift: varint too long") }
        }
    }

    /// Reads the next field header of the current struct; nil at the stop byte.
    mutating func nextField(last: inout Int16) throws -> Field? {
        let header = try readByte()
        if header == 0 { return nil }
        let type = header & 0x0F
        let delta = header >> 4
        let id: Int16
        if delta == 0 {
            let raw = ThriftZigZag.decode(try readVarint())
            guard raw >= Int64(Int16.min), raw <= Int64(Int16.max) else {
                throw ParquetError("thrift: field id \(raw) out of range")
            }
            id = Int16(raw)
        } else {
            id = last &+ Int16(delta)
        }
        last = id
        return Field(id: id, type: type)
    }

    /// Reads an integer field of any integer wire type (byte, i16, i32, i64).
    mutating func readInt(_ type: UInt8) throws -> Int64 {
        switch type {
        case 3: return Int64(Int8(bitPattern: try readByte()))
        case 4, 5, 6: return ThriftZigZag.decode(try readVarint())
        default: throw ParquetError("thrift: expected an integer, found wire type \(type)")
        }
    }

    mutating func readI32(_ type: UInt8) throws -> Int32 {
        let v = try readInt(type)
        guard let r = Int32(exactly: v) else { throw ParquetError("thrift: value \(v) does not fit in i32") }
        return r
    }

    mutating func readBinary(_ type: UInt8) throws -> [UInt8] {
        guard type == 8 else { throw ParquetError("thrift: expected binary, found wire type \(type)") }
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw ParquetError("thrift: binary length \(length) exceeds remaining \(remaining) bytes")
        }
        let n = Int(length)
        let value = Array(bytes[position..<(position + n)])
        position += n
        return value
    }

    /// `readBinary` as a slice of the bytes being read, without a copy.
    mutating func readBinarySlice(_ type: UInt8) throws -> ArraySlice<UInt8> {
        guard type == 8 else { throw ParquetError("thrift: expected binary, found wire type \(type)") }
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw ParquetError("thrift: binary length \(length) exceeds remaining \(remaining) bytes")
        }
        let n = Int(length)
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func readString(_ type: UInt8) throws -> String {
        String(decoding: try readBinary(type), as: UTF8.self)
    }

    /// Reads a list header; the count is validated against the remaining bytes (every
    /// element takes at least one byte).
    mutating func readListHeader(_ type: UInt8) throws -> (elementType: UInt8, count: Int) {
        guard type == 9 || type == 10 else { throw ParquetError("thrift: expected list, found wire type \(type)") }
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        guard count <= UInt64(remaining) else {
            throw ParquetError("thrift: list of \(count) elements exceeds remaining \(remaining) bytes")
        }
        return (header & 0x0F, Int(count))
    }

    /// Skips a value of the given wire type, including nested containers.
    mutating func skip(_ type: UInt8, depth: Int = 0) throws {
        guard depth < maxDepth else { throw ParquetError("thrift: nesting deeper than \(maxDepth)") }
        switch type {
        case 1, 2: return
        case 3: _ = try readByte()
        case 4, 5, 6: _ = try readVarint()
        case 7:
            guard remaining >= 8 else { throw ParquetError("thrift: truncated double") }
            position += 8
        case 8:
            let length = try readVarint()
            guard length <= UInt64(remaining) else { throw ParquetError("thrift: binary length \(length) exceeds remaining bytes") }
            position += Int(length)
        case 9, 10:
            let (elementType, count) = try readListHeader(type)
            for _ in 0..<count { try skipElement(elementType, depth: depth + 1) }
        case 11:
            let count = try readVarint()
            guard count <= UInt64(remaining) else { throw ParquetError("thrift: map of \(count) entries exceeds remaining bytes") }
            if count == 0 { return }
            let kv = try readByte()
            for _ in 0..<Int(count) {
                try skipElement(kv >> 4, depth: depth + 1)
                try skipElement(kv & 0x0F, depth: depth + 1)
            }
        case 12:
            var last: Int16 = 0
            while let field = try nextField(last: &last) { try skip(field.type, depth: depth + 1) }
        default:
            throw ParquetError("thrift: unknown wire type \(type)")
        }
    }

    /// Container elements of boolean type take one byte, unlike boolean fields.
    private mutating func skipElement(_ type: UInt8, depth: Int) throws {
        if type == 1 || type == 2 { _ = try readByte() } else { try skip(type, depth: depth) }
    }

    mutating func readBoolElement() throws -> Bool { try readByte() == 1 }
}
