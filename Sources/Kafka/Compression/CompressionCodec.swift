/// Compression of a record batch's records section (attributes bits 0-2, Kafka protocol guide
/// "Record Batch").
public enum CompressionCodec: Int16, Sendable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Compresses for produce; only `none` and `snappy` are offered for writing.
    func compress(_ records: [UInt8]) throws -> [UInt8] {
        switch self {
        case .none: return records
        case .snappy: return SnappyFraming.compress(records)
        default: throw KafkaError(.unsupportedCodec, "compression codec \(self) is not supported for produce")
        }
    }

    /// Decompresses a fetched batch, refusing codecs this client does not implement by name.
    func decompress(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        do {
            switch self {
            case .none: return data
            case .snappy: return try SnappyFraming.decompress(data, limit: limit)
            case .gzip: return try Gzip.decompress(data, limit: limit)
            case .lz4: return try LZ4Frame.decompress(data, limit: limit)
            case .zstd:
                throw KafkaError(.unsupportedCodec, "unsupported compression codec zstd in fetched record batch")
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw KafkaError(.malformedResponse, "cannot decompress \(self) record batch: \(error)")
        }
    }
}
