import NIOCore

/// A record read from a fetched record batch.
public struct ConsumerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The value; empty for a null value (tombstone), see `valueIsNull`.
    public var value: [UInt8]
    public var valueIsNull: Bool
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch (create time or log-append time, per the batch).
    public var timestamp: Int64

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
                valueIsNull: Bool = false, headers: [KafkaHeader] = [], timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.valueIsNull = valueIsNull
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// Decodes the `records` field of a fetch response: a sequence of record batches v2, the last
/// one possibly cut short by the broker's size limit (Kafka protocol guide, "Record Batch").
///
/// Checks magic and CRC-32C, decompresses, skips control batches and records before
/// `fromOffset`. Anything inconsistent throws a `.malformedResponse` error naming the problem.
enum RecordBatchReader {
    /// Upper bound for one decompressed batch, against decompression bombs.
    static let maximumDecompressedSize = 512 << 20

    /// The offset after the last complete batch in `data`, from batch headers only (framing is
    /// checked, CRC and records are not: `decode` does that); nil when no batch is complete.
    static func nextOffset(after data: ByteBuffer) -> Int64? {
        var at = data.readerIndex
        var next: Int64?
        while data.writerIndex - at >= 27 {
            guard let base = data.getInteger(at: at, as: Int64.self),
                  let length = data.getInteger(at: at + 8, as: Int32.self), length >= 49,
                  Int(length) + 12 <= data.writerIndex - at,
                  let lastOffsetDelta = data.getInteger(at: at + 23, as: Int32.self) else { break }
            next = base + Int64(lastOffsetDelta) + 1
            at += Int(length) + 12
        }
        return next
    }

    static func decode(_ data: ByteBuffer, topic: String, partition: Int32, fromOffset: Int64) throws -> (records: [ConsumerRecord], nextOffset: Int64?) {
        let decoded = decodeUpToFailure(data, topic: topic, partition: partition, fromOffset: fromOffset)
        if let failure = decoded.failure { throw failure }
        return (decoded.records, decoded.nextOffset)
    }

    /// What a partition's fetched bytes gave: the records of every batch before the first bad
    /// one, and that batch's error. The good records are not lost to a bad batch after them.
    struct Decoded: Sendable {
        var records: [ConsumerRecord]
        var nextOffset: Int64?
        var failure: Error?
    }

    static func decodeUpToFailure(_ data: ByteBuffer, topic: String, partition: Int32, fromOffset: Int64) -> Decoded {
        var out: [ConsumerRecord] = []
        var next: Int64? = nil
        var goodCount = 0
        do {
            try decode(data, topic: topic, partition: partition, fromOffset: fromOffset, into: &out, goodCount: &goodCount, next: &next)
            return Decoded(records: out, nextOffset: next, failure: nil)
        } catch {
            out.removeSubrange(goodCount...)
            return Decoded(records: out, nextOffset: nil, failure: error)
        }
    }

    /// Appends the records of each batch to `out`; `goodCount` counts those of complete,
    /// checked batches (a batch failing half-way leaves its first records after it).
    private static func decode(_ data: ByteBuffer, topic: String, partition: Int32, fromOffset: Int64,
                               into out: inout [ConsumerRecord], goodCount: inout Int, next: inout Int64?) throws {
        var buffer = data
        let where_ = "\(topic)[\(partition)]"
        while buffer.readableBytes >= 17 {
            goodCount = out.count
            let start = buffer.readerIndex
            guard let baseOffset = buffer.getInteger(at: start, as: Int64.self),
                  let batchLength = buffer.getInteger(at: start + 8, as: Int32.self),
                  let magic = buffer.getInteger(at: start + 16, as: Int8.self) else { break }
            guard batchLength >= 0 else { throw KafkaError.malformed("negative batch length in \(where_)") }
            if Int(batchLength) + 12 > buffer.readableBytes { break }  // partial trailing batch
            guard magic == 2 else {
                throw KafkaError(.malformedResponse, "record batch magic \(magic) in \(where_) at offset \(baseOffset): only magic v2 is supported")
            }
            guard batchLength >= 49 else { throw KafkaError.malformed("batch length \(batchLength) too small in \(where_)") }
            var batch = buffer.readSlice(length: Int(batchLength) + 12)!
            batch.moveReaderIndex(forwardBy: 17)
            let crc = batch.readInteger(as: UInt32.self)!
            let actual = batch.withUnsafeReadableBytes { CRC32C.checksum($0) }
            guard crc == actual else {
                throw KafkaError.malformed("CRC-32C mismatch in \(where_) batch at offset \(baseOffset)")
            }
            let attributes = batch.readInteger(as: Int16.self)!
            let lastOffsetDelta = batch.readInteger(as: Int32.self)!
            let baseTimestamp = batch.readInteger(as: Int64.self)!
            let maxTimestamp = batch.readInteger(as: Int64.self)!
            batch.moveReaderIndex(forwardBy: 8 + 2 + 4)
            let count = batch.readInteger(as: Int32.self)!
            next = baseOffset + Int64(lastOffsetDelta) + 1
            if attributes & 0x20 != 0 { continue }  // control batch (transaction markers)
            guard let codec = CompressionCodec(rawValue: attributes & 7) else {
                throw KafkaError(.unsupportedCodec, "unknown compression codec id \(attributes & 7) in \(where_)")
            }
            let logAppendTime = attributes & 0x08 != 0
            guard count >= 0, Int(count) <= Self.maximumDecompressedSize / 7 else {
                throw KafkaError.malformed("record count \(count) in \(where_)")
            }
            var records: ByteBuffer
            if codec == .none {
                records = batch
            } else {
                let compressed = batch.readBytes(length: batch.readableBytes) ?? []
                let plain = try codec.decompress(compressed, limit: maximumDecompressedSize)
                records = ByteBuffer(bytes: plain)
            }
            out.reserveCapacity(out.count + Int(count))
            try records.withUnsafeReadableBytes { raw in
                var r = RawReader(bytes: raw)
                func bad(_ what: String) -> KafkaError { .malformed("bad record \(what) in \(where_) batch at offset \(baseOffset)") }
                for _ in 0..<count {
                    guard let length = r.varint(), length >= 0, Int(length) <= r.remaining else {
                        throw KafkaError.malformed("truncated record in \(where_) batch at offset \(baseOffset)")
                    }
                    let end = r.at + Int(length)
                    // Fields of one record must stay inside its length prefix.
                    var f = RawReader(bytes: UnsafeRawBufferPointer(rebasing: raw[..<end]), at: r.at)
                    r.at = end
                    guard f.skip(1), let tsDelta = f.varint(), let offsetDelta = f.varint() else { throw bad("header") }
                    guard case .some(let key) = f.field(), case .some(let value) = f.field() else { throw bad("key or value size") }
                    guard let headerCount = f.varint(), headerCount >= 0, headerCount <= f.remaining else { throw bad("header count") }
                    var headers: [KafkaHeader] = []
                    if headerCount > 0 {
                        headers.reserveCapacity(Int(headerCount))
                        for _ in 0..<headerCount {
                            guard case .some(let maybeKey) = f.field(), let k = maybeKey, case .some(let v) = f.field() else { throw bad("header") }
                            headers.append(KafkaHeader(key: String(decoding: k, as: UTF8.self), value: v))
                        }
                    }
                    let offset = baseOffset + offsetDelta
                    if offset < fromOffset { continue }
                    out.append(ConsumerRecord(topic: topic, partition: partition, offset: offset, key: key,
                                              value: value ?? [], valueIsNull: value == nil, headers: headers,
                                              timestamp: logAppendTime ? maxTimestamp : baseTimestamp + tsDelta))
                }
            }
        }
        goodCount = out.count
    }
}

/// Bounds-checked reads from raw bytes: each record field costs one check and one copy instead
/// of a `ByteBuffer` call per byte.
private struct RawReader {
    let bytes: UnsafeRawBufferPointer
    var at: Int

    init(bytes: UnsafeRawBufferPointer, at: Int = 0) {
        self.bytes = bytes
        self.at = at
    }

    var remaining: Int { bytes.count - at }

    mutating func skip(_ n: Int) -> Bool {
        guard n <= remaining else { return false }
        at += n
        return true
    }

    /// A zig-zag varint of at most 10 bytes; nil when truncated or overlong.
    @inline(__always) mutating func varint() -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            guard at < bytes.count else { return nil }
            let byte = bytes[at]
            at += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1) }
            shift += 7
        }
        return nil
    }

    /// A length-prefixed field: `.some(nil)` for length -1 (null), nil when malformed.
    @inline(__always) mutating func field() -> [UInt8]?? {
        guard let n = varint() else { return nil }
        if n < 0 { return n == -1 ? .some(nil) : nil }
        guard n <= remaining else { return nil }
        let start = at
        at += Int(n)
        return .some(Array(UnsafeRawBufferPointer(rebasing: bytes[start..<at])))
    }
}
