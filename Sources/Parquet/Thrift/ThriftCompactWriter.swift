/// Serialises Thrift structs in the compact protocol, the encoding of every Parquet footer and
/// page header (Thrift spec: "Thrift Compact protocol encoding").
///
/// Field ids are written as deltas from the previous field of the same struct, so the writer
/// keeps a stack of "last field id" per open struct.
struct ThriftCompactWriter {
    enum WireType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    var bytes: [UInt8]
    private var lastFieldID: Int16 = 0
    private var stack: [Int16] = []

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func fieldHeader(_ id: Int16, _ type: WireType) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            bytes.appendVarint(UInt64(ThriftZigZag.encode(Int64(id))))
        }
        lastFieldID = id
    }

    mutating func writeI32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        bytes.appendVarint(ThriftZigZag.encode(Int64(value)))
    }

    /// An `i8` field: one raw byte (generated readers check the wire type, so it must be BYTE).
    mutating func writeByte(_ id: Int16, _ value: Int8) {
        fieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func writeI16(_ id: Int16, _ value: Int16) {
        fieldHeader(id, .i16)
        bytes.appendVarint(ThriftZigZag.encode(Int64(value)))
    }

    mutating func writeI64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        bytes.appendVarint(ThriftZigZag.encode(value))
    }

    mutating func writeBool(_ id: Int16, _ value: Bool) {
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func writeBinary(_ id: Int16, _ value: some Collection<UInt8>) {
        fieldHeader(id, .binary)
        bytes.appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeString(_ id: Int16, _ value: String) {
        writeBinary(id, Array(value.utf8))
    }

    /// Opens a struct-valued field; close it with `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        beginStructElement()
    }

    /// Opens a struct that is a list element (no field header).
    mutating func beginStructElement() {
        stack.append(lastFieldID)
        lastFieldID = 0
    }

    mutating func endStruct() {
        bytes.append(0)
        lastFieldID = stack.popLast() ?? 0
    }

    /// Writes the header of a list field; the caller then writes `count` elements.
    mutating func beginList(_ id: Int16, elementType: WireType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            bytes.appendVarint(UInt64(count))
        }
    }

    mutating func appendI32Element(_ value: Int32) {
        bytes.appendVarint(ThriftZigZag.encode(Int64(value)))
    }

    mutating func appendBinaryElement(_ value: [UInt8]) {
        bytes.appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Ends the outermost struct (the message itself).
    mutating func finishMessage() {
        bytes.append(0)
    }
}

/// Zig-zag mapping of signed integers to unsigned varints (Thrift compact protocol).
enum ThriftZigZag {
    @inline(__always) static func encode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    @inline(__always) static func decode(_ v: UInt64) -> Int64 {
        Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }
}
