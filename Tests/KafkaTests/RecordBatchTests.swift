import NIOCore
import Testing
@testable import Kafka

@Suite struct RecordBatchTests {
    func sampleBatch(codec: CompressionCodec) throws -> ByteBuffer {
        var writer = RecordBatchWriter(allocator: ByteBufferAllocator(), capacity: 1024)
        writer.append(key: Array("k1".utf8), value: Array("v1".utf8), headers: [KafkaHeader(key: "h", value: [1, 2])], timestamp: 1_000)
        writer.append(key: nil, value: nil, headers: [KafkaHeader(key: "n", value: nil)], timestamp: 900)
        writer.append(key: [], value: [UInt8](repeating: 7, count: 3000), headers: [], timestamp: 5_000)
        return try writer.seal(codec: codec, producerID: 42, producerEpoch: 1, baseSequence: 10, allocator: ByteBufferAllocator())
    }

    @Test(arguments: [CompressionCodec.none, .snappy])
    func writtenBatchesReadBack(codec: CompressionCodec) throws {
        var batch = try sampleBatch(codec: codec)
        batch.setInteger(Int64(100), at: 0)  // the broker assigns the base offset
        let (records, next) = try RecordBatchReader.decode(batch, topic: "t", partition: 3, fromOffset: 0)
        #expect(next == 103)
        #expect(records.map(\.offset) == [100, 101, 102])
        #expect(records[0].key == Array("k1".utf8) && records[0].value == Array("v1".utf8))
        #expect(records[0].headers == [KafkaHeader(key: "h", value: [1, 2])])
        #expect(records[1].key == nil && records[1].valueIsNull && records[1].headers == [KafkaHeader(key: "n", value: nil)])
        #expect(records.map(\.timestamp) == [1_000, 900, 5_000])
        #expect(records[2].value.count == 3000 && records[2].key == [])
    }

    @Test func recordsBeforeTheFetchOffsetAreSkipped() throws {
        let (records, _) = try RecordBatchReader.decode(try sampleBatch(codec: .none), topic: "t", partition: 0, fromOffset: 2)
        #expect(records.map(\.offset) == [2])
    }

    @Test func aCorruptedBatchFailsItsChecksum() throws {
        var batch = try sampleBatch(codec: .none)
        let last = batch.writerIndex - 1
        batch.setInteger(batch.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
        #expect(throws: KafkaError.self) { try RecordBatchReader.decode(batch, topic: "t", partition: 0, fromOffset: 0) }
    }

    @Test func aTrailingPartialBatchIsIgnored() throws {
        var two = try sampleBatch(codec: .none)
        var second = try sampleBatch(codec: .none)
        second.setInteger(Int64(3), at: 0)
        two.writeBuffer(&second)
        let cut = two.getSlice(at: 0, length: two.readableBytes - 10)!
        let (records, next) = try RecordBatchReader.decode(cut, topic: "t", partition: 0, fromOffset: 0)
        #expect(records.count == 3 && next == 3)
    }

    @Test func oldMessageFormatsAreRefusedByName() throws {
        var batch = try sampleBatch(codec: .none)
        batch.setInteger(Int8(1), at: 16)
        #expect {
            try RecordBatchReader.decode(batch, topic: "t", partition: 0, fromOffset: 0)
        } throws: { ($0 as? KafkaError)?.message.contains("magic 1") == true }
    }
}
