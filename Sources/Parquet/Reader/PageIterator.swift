/// Walks the pages of one column chunk: parses each page header, checks every size against the
/// chunk's bytes, decompresses, and splits data pages into definition levels and values
/// (Parquet spec: "Data Pages", "DataPageHeaderV2"; levels are RLE with bit width 1 here
/// because only flat columns are read).
struct PageIterator {
    /// A decoded page.
    enum Page {
        case dictionary(count: Int, values: ByteRegion)
        /// `validity` is nil for required columns; `nonNull` values are in `values`.
        case data(count: Int, validity: [Bool]?, nonNull: Int, encoding: Int32, values: ByteRegion)
    }

    /// The largest page value count accepted without bytes to back it: an RLE run can encode a
    /// million nulls in a few bytes, but more per page than this is treated as hostile.
    static let maxSparsePageValues = 1 << 20

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    private let column: String
    private let codec: Int32
    private let optional: Bool
    private var valuesLeft: Int64

    init(bytes: [UInt8], range: Range<Int>, column: String, codec: Int32, optional: Bool, valueCount: Int64) throws {
        guard codec == CodecCode.uncompressed || codec == CodecCode.snappy else {
            throw ParquetError("unsupported codec \(CodecCode.name(codec)) in column \(column)")
        }
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.column = column
        self.codec = codec
        self.optional = optional
        self.valuesLeft = valueCount
    }

    mutating func next() throws -> Page? {
        while valuesLeft > 0 {
            guard position < end else {
                throw ParquetError("column \(column): chunk ended with \(valuesLeft) values missing")
            }
            var reader = ThriftCompactReader(bytes: bytes, range: position..<end)
            let header: PageHeaderFormat
            do {
                header = try PageHeaderFormat.decode(&reader)
            } catch let error as ParquetError {
                throw ParquetError("column \(column): bad page header at offset \(position): \(error.message)")
            }
            let bodyStart = reader.position
            let compressedSize = Int(header.compressedPageSize)
            let uncompressedSize = Int(header.uncompressedPageSize)
            guard compressedSize >= 0, compressedSize <= end - bodyStart, uncompressedSize >= 0 else {
                throw ParquetError("column \(column): page at offset \(position) declares \(compressedSize) bytes, \(end - bodyStart) remain")
            }
            position = bodyStart + compressedSize
            let body = ByteRegion(bytes, bodyStart..<(bodyStart + compressedSize))
            switch header.type {
            case PageTypeCode.dictionaryPage:
                guard header.hasDictionaryPage else { throw ParquetError("column \(column): dictionary page without its header") }
                guard header.encoding == EncodingCode.plain || header.encoding == EncodingCode.plainDictionary else {
                    throw ParquetError("unsupported encoding \(EncodingCode.name(header.encoding)) for dictionary page in column \(column)")
                }
                let count = Int(header.numValues)
                guard count >= 0 else { throw ParquetError("column \(column): negative dictionary size") }
                let values = try decompress(body, uncompressedSize)
                guard count <= values.count * 8 else {
                    throw ParquetError("column \(column): dictionary of \(count) entries in \(values.count) bytes")
                }
                return .dictionary(count: count, values: values)
            case PageTypeCode.dataPage:
                guard header.hasDataPage else { throw ParquetError("column \(column): data page without its header") }
                let count = try pageValueCount(header, uncompressedSize)
                let page = try decompress(body, uncompressedSize)
                var values = page
                var validity: [Bool]?
                var nonNull = count
                if optional {
                    guard header.definitionLevelEncoding == EncodingCode.rle else {
                        throw ParquetError("unsupported encoding \(EncodingCode.name(header.definitionLevelEncoding)) for definition levels in column \(column)")
                    }
                    let length = Int(try page.le32(at: 0))
                    let levels = try page.sub(4, length, "column \(column): definition levels")
                    (validity, nonNull) = try decodeLevels(levels, count: count)
                    values = try page.dropFirst(4 + length, "column \(column): values")
                }
                return .data(count: count, validity: validity, nonNull: nonNull, encoding: header.encoding, values: values)
            case PageTypeCode.dataPageV2:
                guard header.hasDataPageV2 else { throw ParquetError("column \(column): data page v2 without its header") }
                let count = try pageValueCount(header, uncompressedSize)
                let repLength = Int(header.repetitionLevelsByteLength)
                let defLength = Int(header.definitionLevelsByteLength)
                guard repLength >= 0, defLength >= 0, repLength <= body.count, defLength <= body.count - repLength else {
                    throw ParquetError("column \(column): level lengths \(repLength)+\(defLength) exceed page of \(body.count) bytes")
                }
                var validity: [Bool]?
                var nonNull = count
                if optional {
                    let levels = try body.sub(repLength, defLength, "column \(column): definition levels")
                    (validity, nonNull) = try decodeLevels(levels, count: count)
                }
                let compressedValues = try body.dropFirst(repLength + defLength, "column \(column): values")
                let values = header.isCompressed
                    ? try decompress(compressedValues, uncompressedSize - repLength - defLength)
                    : compressedValues
                return .data(count: count, validity: validity, nonNull: nonNull, encoding: header.encoding, values: values)
            default:
                continue  // index pages and unknown page types carry no values
            }
        }
        return nil
    }

    private mutating func pageValueCount(_ header: PageHeaderFormat, _ uncompressedSize: Int) throws -> Int {
        let count = Int(header.numValues)
        guard count >= 0, Int64(count) <= valuesLeft else {
            throw ParquetError("column \(column): page of \(count) values, \(valuesLeft) expected at most")
        }
        guard count <= max(Self.maxSparsePageValues, uncompressedSize * 8) else {
            throw ParquetError("column \(column): page of \(count) values in \(uncompressedSize) bytes")
        }
        valuesLeft -= Int64(count)
        return count
    }

    private func decompress(_ body: ByteRegion, _ uncompressedSize: Int) throws -> ByteRegion {
        if codec == CodecCode.uncompressed {
            guard uncompressedSize == body.count else {
                throw ParquetError("column \(column): uncompressed page of \(body.count) bytes declares \(uncompressedSize)")
            }
            return body
        }
        guard uncompressedSize >= 0 else { throw ParquetError("column \(column): negative page size") }
        let out = try body.withUnsafeBytes { try Snappy.decompress($0, maxLength: uncompressedSize) }
        guard out.count == uncompressedSize else {
            throw ParquetError("column \(column): snappy page expanded to \(out.count) bytes, header says \(uncompressedSize)")
        }
        return ByteRegion(out)
    }

    private func decodeLevels(_ levels: ByteRegion, count: Int) throws -> ([Bool], Int) {
        var raw = [UInt32](repeating: 0, count: count)
        try levels.withUnsafeBytes { src in
            try raw.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: 1, count: count, into: $0) }
        }
        var nonNull = 0
        let validity = raw.map { level in
            nonNull += Int(level)
            return level == 1
        }
        return (validity, nonNull)
    }
}
