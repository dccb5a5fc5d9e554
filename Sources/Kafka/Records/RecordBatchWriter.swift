import NIOCore

/// Accumulates records into one record batch v2 (Kafka protocol guide, "Record Batch" and
/// "Record"): offsets and timestamps are deltas from the batch's first record.
///
/// Records are encoded as they arrive, so sealing a batch costs one compression and one CRC pass.
struct RecordBatchWriter: Sendable {
    /// baseOffset … recordCount: the fixed fields before the first record.
    static let headerSize = 61
    /// The header's room (zeros until sealed) followed by the records: an uncompressed batch
    /// is sealed in place, without copying its records.
    private var buffer: ByteBuffer
    private(set) var count: Int32 = 0
    private(set) var baseTimestamp: Int64 = 0
    private(set) var maxTimestamp: Int64 = 0

    init(allocator: ByteBufferAllocator, capacity: Int) {
        buffer = allocator.buffer(capacity: Self.headerSize + capacity)
        buffer.writeRepeatingByte(0, count: Self.headerSize)
    }

    /// Size of the records encoded so far, uncompressed.
    var byteCount: Int { buffer.readableBytes - Self.headerSize }

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
        let offsetDelta = count
        let body = Self.bodySize(key: key, value: value, headers: headers, timestampDelta: tsDelta, offsetDelta: offsetDelta)
        let total = Varint.size(Int64(body)) + body
        // One capacity check and one index update per record: the fields go straight into the
        // buffer's memory (per-byte ByteBuffer writes dominated the producer's profile).
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
            var w = RawWriter(base: out.baseAddress!)
            w.varint(Int64(body))
            w.byte(0)
            w.varint(tsDelta)
            w.varint(Int64(offsetDelta))
            w.field(key)
            w.field(value)
            w.varint(Int64(headers.count))
            for h in headers {
                w.varint(Int64(h.key.utf8.count))
                w.bytes(h.key.utf8)
                w.field(h.value)
            }
            return total
        }
        count += 1
    }

    /// Writes into memory known to hold enough room (sized by `bodySize` beforehand).
    private struct RawWriter {
        var base: UnsafeMutableRawPointer
        var at = 0

        @inline(__always) mutating func byte(_ b: UInt8) {
            base.storeBytes(of: b, toByteOffset: at, as: UInt8.self)
            at += 1
        }

        @inline(__always) mutating func varint(_ value: Int64) {
            var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
            while v >= 0x80 {
                byte(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            byte(UInt8(v))
        }

        @inline(__always) mutating func bytes<C: Collection>(_ c: C) where C.Element == UInt8 {
            for b in c { byte(b) }
        }

        @inline(__always) mutating func field(_ f: [UInt8]?) {
            guard let f else { return varint(-1) }
            varint(Int64(f.count))
            f.withUnsafeBytes { src in
                if let p = src.baseAddress, src.count > 0 { (base + at).copyMemory(from: p, byteCount: src.count) }
            }
            at += f.count
        }
    }

    /// The sealed batch: header fields, CRC-32C over attributes..end, records compressed with
    /// `codec`. Without compression the header is written into the batch's own buffer (sealing
    /// again, under a new producer identity, rewrites it).
    mutating func seal(codec: CompressionCodec, producerID: Int64, producerEpoch: Int16, baseSequence: Int32,
                       allocator: ByteBufferAllocator) throws -> ByteBuffer {
        if codec == .none {
            Self.writeHeader(into: &buffer, codec: codec, count: count, timestamps: (baseTimestamp, maxTimestamp),
                             producerID: producerID, producerEpoch: producerEpoch, baseSequence: baseSequence)
            return buffer
        }
        let compressed = try codec.compress(buffer.getBytes(at: buffer.readerIndex + Self.headerSize, length: byteCount) ?? [])
        var sealed = allocator.buffer(capacity: Self.headerSize + compressed.count)
        sealed.writeRepeatingByte(0, count: Self.headerSize)
        sealed.writeBytes(compressed)
        Self.writeHeader(into: &sealed, codec: codec, count: count, timestamps: (baseTimestamp, maxTimestamp),
                         producerID: producerID, producerEpoch: producerEpoch, baseSequence: baseSequence)
        return sealed
    }

    /// Fills the header room at the start of `batch` (records already after it) and its CRC.
    /// Static, so that writing into the writer's own buffer does not copy the writer (and with
    /// it a second reference that would make the buffer copy itself).
    private static func writeHeader(into batch: inout ByteBuffer, codec: CompressionCodec, count: Int32,
                                    timestamps: (base: Int64, max: Int64), producerID: Int64,
                                    producerEpoch: Int16, baseSequence: Int32) {
        let start = batch.readerIndex
        var at = start
        func put<T: FixedWidthInteger>(_ value: T) { at += batch.setInteger(value, at: at) }
        put(Int64(0))                                  // baseOffset: assigned by the broker
        put(Int32(batch.readableBytes - 12))           // batchLength: bytes after this field
        put(Int32(-1))                                 // partitionLeaderEpoch
        put(Int8(2))                                   // magic
        let crcIndex = at
        put(UInt32(0))
        put(codec.rawValue)                            // attributes: codec, CreateTime, not transactional
        put(count - 1)                                 // lastOffsetDelta
        put(timestamps.base)
        put(timestamps.max)
        put(producerID)
        put(producerEpoch)
        put(baseSequence)
        put(count)
        let crc = batch.withUnsafeReadableBytes { all in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[(crcIndex + 4 - start)...]))
        }
        batch.setInteger(crc, at: crcIndex)
    }
}
