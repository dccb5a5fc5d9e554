import Snappy

/// Walks the pages of one column chunk: parses each page header, checks every size against the
/// chunk's bytes and the page's CRC-32 when the header has one, decompresses, and splits data
/// pages into definition levels and values (Parquet spec: "Data Pages", "DataPageHeaderV2";
/// repetition then definition levels, RLE with the bit width of their maximum).
struct PageIterator {
    /// A decoded page.
    enum Page {
        case dictionary(count: Int, values: ByteRegion)
        /// `validity` is nil for required columns and for pages without nulls; `nonNull` values are in `values`; `levels`
        /// are kept only for nested columns.
        case data(count: Int, validity: [Bool]?, nonNull: Int, encoding: Int32, values: ByteRegion, levels: Levels?)
    }

    /// The definition and repetition level of each value slot of a page.
    struct Levels {
        var definition: [UInt8]
        var repetition: [UInt8]
    }

    /// The largest page value count accepted without bytes to back it: an RLE run can encode a
    /// million nulls in a few bytes, but more per page than this is treated as hostile.
    static let maxSparsePageValues = 1 << 20

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    private let column: String
    private let rowGroup: Int
    /// Index in the chunk of the next page, counting every page type.
    private var pageIndex = 0
    private let codec: Int32
    private let optional: Bool
    private let maxDefinition: Int
    private let maxRepetition: Int
    private let keepLevels: Bool
    private var valuesLeft: Int64
    /// Rows of the chunk wanted (flat columns only): data pages wholly outside are skipped
    /// unread — no checksum, no decompression — and the pages returned cover a contiguous
    /// run of rows from `firstKeptRow` on.
    let window: Range<Int>?
    /// Rows of the data pages met so far, skipped or not.
    private var rowsSeen = 0
    /// The chunk row where the first returned data page starts.
    private(set) var firstKeptRow: Int?
    /// Rows of the data pages returned.
    private(set) var keptRows = 0

    init(bytes: [UInt8], range: Range<Int>, column: String, rowGroup: Int, codec: Int32, maxDefinition: Int, maxRepetition: Int,
         keepLevels: Bool, valueCount: Int64, window: Range<Int>? = nil) throws {
        guard window == nil || maxRepetition == 0 else {
            throw ParquetError("column \(column): a row window needs a flat column (one value per row)")
        }
        guard codec == CodecCode.uncompressed || codec == CodecCode.snappy else {
            throw ParquetError("unsupported codec \(CodecCode.name(codec)) in column \(column)")
        }
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.column = column
        self.rowGroup = rowGroup
        self.codec = codec
        self.optional = maxDefinition > 0
        self.maxDefinition = maxDefinition
        self.maxRepetition = maxRepetition
        self.keepLevels = keepLevels
        self.valuesLeft = valueCount
        self.window = window
    }

    mutating func next() throws -> Page? {
        while valuesLeft > 0 {
            // Pages are in row order: none after the window's end can overlap it.
            if let window, rowsSeen >= window.upperBound { return nil }
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
            let pageStart = position
            position = bodyStart + compressedSize
            let body = ByteRegion(bytes, bodyStart..<(bodyStart + compressedSize))
            let isData = header.type == PageTypeCode.dataPage || header.type == PageTypeCode.dataPageV2
            if isData, let window {
                // A flat column has one value per row, so the header's count places the page.
                let count = try pageValueCount(header, uncompressedSize)
                let rows = rowsSeen..<(rowsSeen + count)
                rowsSeen += count
                guard rows.overlaps(window) else {
                    pageIndex += 1
                    continue
                }
                firstKeptRow = firstKeptRow ?? rows.lowerBound
                keptRows += count
                if let expected = header.crc {
                    try verify(body, expected: expected, type: header.type, at: pageStart)
                }
            } else if let expected = header.crc {
                try verify(body, expected: expected, type: header.type, at: pageStart)
            }
            pageIndex += 1
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
                let count = window == nil ? try pageValueCount(header, uncompressedSize) : Int(header.numValues)
                let page = try decompress(body, uncompressedSize)
                var offset = 0
                var repetition: [UInt8] = []
                if maxRepetition > 0 {
                    let length = Int(try page.le32(at: 0))
                    let levels = try page.sub(4, length, "column \(column): repetition levels")
                    repetition = try decodeLevels(levels, count: count, max: maxRepetition, what: "repetition")
                    offset = 4 + length
                }
                var definition = Definitions.levels([])
                if optional {
                    guard header.definitionLevelEncoding == EncodingCode.rle else {
                        throw ParquetError("unsupported encoding \(EncodingCode.name(header.definitionLevelEncoding)) for definition levels in column \(column)")
                    }
                    let length = Int(try page.le32(at: offset))
                    let levels = try page.sub(offset + 4, length, "column \(column): definition levels")
                    definition = try decodeDefinitions(levels, count: count)
                    offset += 4 + length
                }
                let values = try page.dropFirst(offset, "column \(column): values")
                return makeData(count: count, definition: definition, repetition: repetition, encoding: header.encoding, values: values)
            case PageTypeCode.dataPageV2:
                guard header.hasDataPageV2 else { throw ParquetError("column \(column): data page v2 without its header") }
                let count = window == nil ? try pageValueCount(header, uncompressedSize) : Int(header.numValues)
                let repLength = Int(header.repetitionLevelsByteLength)
                let defLength = Int(header.definitionLevelsByteLength)
                guard repLength >= 0, defLength >= 0, repLength <= body.count, defLength <= body.count - repLength else {
                    throw ParquetError("column \(column): level lengths \(repLength)+\(defLength) exceed page of \(body.count) bytes")
                }
                let repetition = maxRepetition > 0
                    ? try decodeLevels(try body.sub(0, repLength, "column \(column): repetition levels"), count: count,
                                       max: maxRepetition, what: "repetition")
                    : []
                let definition = optional
                    ? try decodeDefinitions(try body.sub(repLength, defLength, "column \(column): definition levels"), count: count)
                    : .levels([])
                let compressedValues = try body.dropFirst(repLength + defLength, "column \(column): values")
                let values = header.isCompressed
                    ? try decompress(compressedValues, uncompressedSize - repLength - defLength)
                    : compressedValues
                return makeData(count: count, definition: definition, repetition: repetition, encoding: header.encoding, values: values)
            default:
                continue  // index pages and unknown page types carry no values
            }
        }
        return nil
    }

    /// Checks the CRC-32 of the page bytes as stored (after the header, compressed): damage
    /// anywhere in them, even where decoding would still succeed, is reported here.
    private func verify(_ body: ByteRegion, expected: UInt32, type: Int32, at offset: Int) throws {
        let actual = body.withUnsafeBytes { CRC32.checksum($0) }
        guard actual != expected else { return }
        let kind = switch type {
        case PageTypeCode.dictionaryPage: "dictionary page"
        case PageTypeCode.dataPage: "data page"
        case PageTypeCode.dataPageV2: "data page v2"
        default: "page"
        }
        throw ParquetError(.checksumMismatch,
            "column \(column), row group \(rowGroup), page \(pageIndex) (\(kind) at offset \(offset)): "
            + "checksum mismatch, header says \(hex(expected)), bytes give \(hex(actual))")
    }

    private func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
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
        let out: [UInt8]
        do {
            out = try body.withUnsafeBytes { try Snappy.decompress($0, maxLength: uncompressedSize) }
        } catch let error as SnappyError {
            throw ParquetError(error.message)
        }
        guard out.count == uncompressedSize else {
            throw ParquetError("column \(column): snappy page expanded to \(out.count) bytes, header says \(uncompressedSize)")
        }
        return ByteRegion(out)
    }

    /// Definition levels as kept for nested columns, or, for flat optional ones, straight
    /// as validity flags (one pass, as before nested support).
    private enum Definitions {
        case levels([UInt8])
        case validity([Bool], present: Int)
    }

    private func decodeDefinitions(_ region: ByteRegion, count: Int) throws -> Definitions {
        if keepLevels || maxDefinition != 1 {
            return .levels(try decodeLevels(region, count: count, max: maxDefinition, what: "definition"))
        }
        var raw = [UInt32](repeating: 0, count: count)
        try region.withUnsafeBytes { src in
            try raw.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: 1, count: count, into: $0) }
        }
        var present = 0
        let validity = raw.map { level in
            if level == 1 { present += 1 }
            return level == 1
        }
        return .validity(validity, present: present)
    }

    private func makeData(count: Int, definition: Definitions, repetition: [UInt8], encoding: Int32, values: ByteRegion) -> Page {
        var validity: [Bool]?
        var nonNull = count
        var levels: [UInt8] = []
        if optional {
            switch definition {
            case .validity(let flags, let present):
                // A page with no null reads like a required one: values copy straight through.
                validity = present == count ? nil : flags
                nonNull = present
            case .levels(let definitionLevels):
                levels = definitionLevels
                let top = UInt8(maxDefinition)
                var present = 0
                validity = definitionLevels.map { level in
                    if level == top { present += 1 }
                    return level == top
                }
                nonNull = present
            }
        }
        let kept = keepLevels ? Levels(definition: levels, repetition: repetition) : nil
        return .data(count: count, validity: validity, nonNull: nonNull, encoding: encoding, values: values, levels: kept)
    }

    /// Decodes `count` levels of bit width `bitWidth(max)`; a level above `max` throws.
    private func decodeLevels(_ levels: ByteRegion, count: Int, max: Int, what: String) throws -> [UInt8] {
        var raw = [UInt32](repeating: 0, count: count)
        let width = RLEHybridEncoder.bitWidth(forMax: UInt32(max))
        try levels.withUnsafeBytes { src in
            try raw.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: width, count: count, into: $0) }
        }
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            guard raw[i] <= UInt32(max) else {
                throw ParquetError("column \(column): \(what) level \(raw[i]) exceeds the maximum \(max)")
            }
            out[i] = UInt8(raw[i])
        }
        return out
    }
}
