import NIOCore

/// Writes Kafka protocol primitives (Kafka protocol guide, "Protocol Primitive Types").
///
/// `flexible` switches strings, bytes and arrays to their compact (unsigned-varint length + 1)
/// forms, as flexible message versions (KIP-482) require.
///
/// Large byte fields (record batches) are not copied: they end the current segment and go into
/// `segments` as they are, so a request is written to the socket as a gathered write.
struct ProtocolWriter {
    var buffer: ByteBuffer
    let flexible: Bool
    /// Finished segments in order; the request is `segments` followed by `buffer`.
    private(set) var segments: [ByteBuffer] = []
    /// Fields at least this large are attached rather than copied.
    static let attachThreshold = 4096

    init(buffer: ByteBuffer, flexible: Bool) {
        self.buffer = buffer
        self.flexible = flexible
    }

    /// Continues with another encoding (flexible or not) after what has been written so far.
    init(continuing other: ProtocolWriter, flexible: Bool) {
        self.buffer = other.buffer
        self.segments = other.segments
        self.flexible = flexible
    }

    /// Every segment, the current buffer last.
    var allSegments: [ByteBuffer] { segments + [buffer] }

    mutating func int8(_ v: Int8) { buffer.writeInteger(v) }
    mutating func int16(_ v: Int16) { buffer.writeInteger(v) }
    mutating func int32(_ v: Int32) { buffer.writeInteger(v) }
    mutating func int64(_ v: Int64) { buffer.writeInteger(v) }
    mutating func bool(_ v: Bool) { buffer.writeInteger(UInt8(v ? 1 : 0)) }

    mutating func unsignedVarint(_ v: UInt32) {
        var value = v
        while value >= 0x80 {
            buffer.writeInteger(UInt8(value & 0x7F | 0x80))
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    mutating func length(_ count: Int, nullable: Bool = false) {
        if flexible {
            unsignedVarint(nullable ? 0 : UInt32(count + 1))
        }
    }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        if flexible { unsignedVarint(UInt32(utf8.count + 1)) } else { int16(Int16(truncatingIfNeeded: utf8.count)) }
        buffer.writeBytes(utf8)
    }

    mutating func nullableString(_ s: String?) {
        guard let s else {
            if flexible { unsignedVarint(0) } else { int16(-1) }
            return
        }
        string(s)
    }

    mutating func bytes(_ b: [UInt8]) {
        if flexible { unsignedVarint(UInt32(b.count + 1)) } else { int32(Int32(b.count)) }
        buffer.writeBytes(b)
    }

    mutating func nullableBytes(_ b: ByteBuffer?) {
        guard var b else {
            if flexible { unsignedVarint(0) } else { int32(-1) }
            return
        }
        if flexible { unsignedVarint(UInt32(b.readableBytes + 1)) } else { int32(Int32(b.readableBytes)) }
        if b.readableBytes >= Self.attachThreshold {
            segments.append(buffer)
            segments.append(b)
            buffer = ByteBufferAllocator().buffer(capacity: 128)
        } else {
            buffer.writeBuffer(&b)
        }
    }

    mutating func arrayCount(_ count: Int) {
        if flexible { unsignedVarint(UInt32(count + 1)) } else { int32(Int32(count)) }
    }

    mutating func nullArray() {
        if flexible { unsignedVarint(0) } else { int32(-1) }
    }

    mutating func array<T>(_ items: [T], _ body: (inout ProtocolWriter, T) -> Void) {
        arrayCount(items.count)
        for item in items { body(&self, item) }
    }

    /// An empty tagged-field section; only flexible versions have one.
    mutating func taggedFields() {
        if flexible { unsignedVarint(0) }
    }
}
