import NIOCore

/// Accumulates records into one record batch v2 (Kafka protocol guide, "Record Batch" and
/// "Record"): offsets and timestamps are deltas from the batch's first record.
///
/// Records are encoded as they arrive, so sealing a batch costs one compression and one CRC pass.
struct RecordBatchWriter: Sendable {
    private(set) var records: ByteBuffer
    private(set) var count: Int32 = 0
    private(set) var baseTimestamp: Int64 = 0
    private(set) var maxTimestamp: Int64 = 0

    init(allocator: ByteBufferAllocator, capacity: Int) {
        records = allocator.buffer(capacity: capacity)
    }

    /// Size of the records encoded so far, uncompressed.
    var byteCount: Int { records.readableBytes }

    /// Bytes one record will take, including its length prefix.
    static func encodedSize(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestampDelta: Int64, offsetDelta: Int32) -> Int {
        let body = bodySize(key: key, value: value, headers: headers, timestampDelta: timestampDelta, offsetDelta: offsetDelta)
        return Varint.size(Int64(body)) + body
    }

    private static func bodySize(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestampDelta: Int64, offsetDelta: Int32) -> Int {
        var n = 1 + Varint.size(timestampDelta) + Varint.size(Int64(offsetDelta))
        n += Varint.size(Int64(key?.count ?? -1)) + (key?.count ?? 0)
        n += Varint.size(Int64(value?.count ?? -1)) + (value?.count ?? 0)
        n += Varint.size(Int64(headers.count))
        for h in headers {
            let k = h.key.utf8.count
            n += Varint.size(Int64(k)) + k + Varint.size(Int64(h.value?.count ?? -1)) + (h.value?.count ?? 0)
        }
        return n
    }

    mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64) {
        if count == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        }
        maxTimestamp = max(maxTimestamp, timestamp)
        let tsDelta = timestamp - baseTimestamp
        let body = Self.bodySize(key: key, value: value, headers: headers, timestampDelta: tsDelta, offsetDelta: count)
        Varint.write(Int64(body), to: &records)
        records.writeInteger(UInt8(0))
        Varint.write(tsDelta, to: &records)
        Varint.write(Int64(count), to: &records)
        if let key {
            Varint.write(Int64(key.count), to: &records)
            records.writeBytes(key)
        } else {
            Varint.write(-1, to: &records)
        }
        if let value {
            Varint.write(Int64(value.count), to: &records)
            records.writeBytes(value)
        } else {
            Varint.write(-1, to: &records)
        }
        Varint.write(Int64(headers.count), to: &records)
        for h in headers {
            Varint.write(Int64(h.key.utf8.count), to: &records)
            records.writeString(h.key)
            if let v = h.value {
                Varint.write(Int64(v.count), to: &records)
                records.writeBytes(v)
            } else {
                Varint.write(-1, to: &records)
            }
        }
        count += 1
    }

    /// The sealed batch: header fields, CRC-32C over attributes..end, records compressed with `codec`.
    func seal(codec: CompressionCodec, producerID: Int64, producerEpoch: Int16, baseSequence: Int32,
              allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var payload = records
        let raw = payload.readBytes(length: payload.readableBytes) ?? []
        let compressed = try codec.compress(raw)
        var b = allocator.buffer(capacity: 61 + compressed.count)
        b.writeInteger(Int64(0))                       // baseOffset: assigned by the broker
        b.writeInteger(Int32(49 + compressed.count))   // batchLength: bytes after this field
        b.writeInteger(Int32(-1))                      // partitionLeaderEpoch
        b.writeInteger(Int8(2))                        // magic
        let crcIndex = b.writerIndex
        b.writeInteger(UInt32(0))
        b.writeInteger(codec.rawValue)                 // attributes: codec, CreateTime, not transactional
        b.writeInteger(count - 1)                      // lastOffsetDelta
        b.writeInteger(baseTimestamp)
        b.writeInteger(maxTimestamp)
        b.writeInteger(producerID)
        b.writeInteger(producerEpoch)
        b.writeInteger(baseSequence)
        b.writeInteger(count)
        b.writeBytes(compressed)
        let crc = b.withUnsafeReadableBytes { all in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[(crcIndex + 4 - b.readerIndex)...]))
        }
        b.setInteger(crc, at: crcIndex)
        return b
    }
}
