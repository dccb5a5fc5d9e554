import NIOCore
import Testing
@testable import Kafka

@Suite struct ProtocolReaderTests {
    @Test func taggedFieldsAreSkippedBySize() throws {
        var w = ProtocolWriter(buffer: ByteBuffer(), flexible: true)
        w.unsignedVarint(2)
        w.unsignedVarint(0); w.unsignedVarint(3); w.buffer.writeBytes([1, 2, 3])
        w.unsignedVarint(9); w.unsignedVarint(1); w.buffer.writeBytes([4])
        w.int32(77)
        var r = ProtocolReader(buffer: w.buffer, flexible: true, context: "test")
        try r.skipTaggedFields()
        #expect(try r.int32() == 77)
    }

    @Test func compactAndClassicStringsRoundTrip() throws {
        for flexible in [false, true] {
            var w = ProtocolWriter(buffer: ByteBuffer(), flexible: flexible)
            w.string("héllo")
            w.nullableString(nil)
            w.array([1, 2, 3] as [Int32]) { $0.int32($1) }
            var r = ProtocolReader(buffer: w.buffer, flexible: flexible, context: "test")
            #expect(try r.string() == "héllo")
            #expect(try r.nullableString() == nil)
            #expect(try r.array { try $0.int32() } == [1, 2, 3])
        }
    }

    @Test func hostileLengthsThrowWithoutAllocating() {
        var b = ByteBuffer()
        b.writeInteger(Int32.max)  // an array "count" far beyond the bytes present
        var r = ProtocolReader(buffer: b, flexible: false, context: "test")
        #expect(throws: KafkaError.self) { try r.array { try $0.int64() } }
        var s = ByteBuffer()
        s.writeInteger(Int16(500))
        s.writeString("short")
        var r2 = ProtocolReader(buffer: s, flexible: false, context: "test")
        #expect(throws: KafkaError.self) { try r2.string() }
        var v = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        var r3 = ProtocolReader(buffer: v, flexible: true, context: "test")
        #expect(throws: KafkaError.self) { try r3.unsignedVarint() }
        v.clear()
    }
}
