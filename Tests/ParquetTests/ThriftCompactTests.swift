import Testing
@testable import Parquet

@Suite struct ThriftCompactTests {
    @Test func roundTripsFieldsIncludingLargeIDJumpsAndLists() throws {
        var w = ThriftCompactWriter()
        w.writeI32(1, -5)
        w.writeI64(20, Int64.min)
        w.writeBool(21, true)
        w.beginList(22, elementType: .binary, count: 20)
        for i in 0..<20 { w.appendBinaryElement(Array("s\(i)".utf8)) }
        w.beginStruct(23)
        w.writeString(1, "inner")
        w.endStruct()
        w.writeI32(2, 7)
        w.finishMessage()
        var r = ThriftCompactReader(bytes: w.bytes, range: 0..<w.bytes.count)
        var last: Int16 = 0
        var seen = [Int16]()
        while let f = try r.nextField(last: &last) {
            seen.append(f.id)
            switch f.id {
            case 1: #expect(try r.readI32(f.type) == -5)
            case 20: #expect(try r.readInt(f.type) == Int64.min)
            case 21: #expect(f.boolValue)
            case 22:
                let (t, n) = try r.readListHeader(f.type)
                #expect(n == 20)
                for i in 0..<n { #expect(try r.readString(t) == "s\(i)") }
            case 23: try r.skip(f.type)
            case 2: #expect(try r.readI32(f.type) == 7)
            default: Issue.record("unexpected field \(f.id)")
            }
        }
        #expect(seen == [1, 20, 21, 22, 23, 2])
        #expect(r.remaining == 0)
    }

    @Test func rejectsListsLongerThanTheInput() {
        let bytes: [UInt8] = [0x19, 0xF8, 0xFF, 0xFF, 0xFF, 0x0F]
        var r = ThriftCompactReader(bytes: bytes, range: 0..<bytes.count)
        var last: Int16 = 0
        #expect(throws: ParquetError.self) {
            let f = try r.nextField(last: &last)!
            try r.skip(f.type)
        }
    }
}
