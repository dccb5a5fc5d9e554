import Snappy

/// Encodes one column of one row group into pages: an optional dictionary page, then data
/// pages (v1) holding definition levels (RLE, bit width 1) and values, each compressed
/// (Parquet spec: "Column chunks", "Data pages", "Dictionary pages").
struct ColumnChunkEncoder {
    let column: ParquetColumn
    let options: ParquetWriterOptions
    /// Set for a column of a nested schema: its path and levels, one per value slot of the
    /// data (a slot is present, in `validity`, when its definition level is the maximum).
    var nested: NestedLevels? = nil

    /// The levels of a nested column (Parquet spec: "Nested Encoding").
    struct NestedLevels {
        var path: [String]
        var maxDefinition: Int
        var maxRepetition: Int
        var definition: [UInt8]
        var repetition: [UInt8]
    }

    /// The encoded chunk's footer entry (without offsets rebased) and its statistics.
    struct Result {
        var metadata: ColumnChunkFormat
        var statistics: ColumnStatistics
    }

    /// How the non-null values of the chunk are written.
    private enum ValuesEncoding {
        case plain
        /// Dictionary page bytes, entry count, one index per non-null value, and the entries
        /// (exactly the distinct non-null values, so statistics need only look at them).
        case dictionary(page: [UInt8], count: Int, indices: [UInt32], entries: ColumnValues)
    }

    /// Appends the chunk's pages to `out`, whose first byte sits at file offset `base` (a writer
    /// may hold the file in several buffers, so offsets are not always `out`'s indices).
    func encode(_ data: ColumnData, into out: inout [UInt8], base: Int = 0) throws -> Result {
        var output = ChunkOutput(buffer: out, offset: base)
        out = []
        defer { out = output.buffer }
        return try encode(data, into: &output)
    }

    /// Appends the chunk's pages to `out`, draining it to its sink between pages.
    func encode(_ data: ColumnData, into out: inout ChunkOutput) throws -> Result {
        let rowCount = data.count
        if let validity = data.validity, validity.count != rowCount {
            throw ParquetError("column \(column.name): \(validity.count) validity flags for \(rowCount) values")
        }
        if !column.optional && data.validity != nil && data.nullCount > 0 {
            throw ParquetError("column \(column.name) is required but has \(data.nullCount) nulls")
        }
        let validity = column.optional ? data.validity : nil
        let encoding = options.dictionary ? dictionaryEncoding(data.values, validity: validity) : nil
        let (statistics, statsFormat): (ColumnStatistics, StatisticsFormat)
        if case .dictionary(_, _, _, let entries)? = encoding {
            let nulls = validity.map { v in v.reduce(0) { $1 ? $0 : $0 + 1 } } ?? 0
            (statistics, statsFormat) = try StatisticsBuilder.build(entries, validity: nil, nullCount: nulls, type: column.type, column: column.name)
        } else {
            (statistics, statsFormat) = try StatisticsBuilder.build(data.values, validity: validity, type: column.type, column: column.name)
        }
        let start = out.position
        var uncompressedTotal = 0
        var dictionaryOffset: Int64?
        var encodings: [Int32] = [EncodingCode.rle]
        var pageBody: [UInt8] = []

        if case .dictionary(let page, let count, _, _) = encoding {
            dictionaryOffset = Int64(start)
            uncompressedTotal += writePage(page, type: PageTypeCode.dictionaryPage, numValues: count, encoding: EncodingCode.plain, into: &out.buffer)
            try out.drain()
            encodings.append(EncodingCode.plain)
            encodings.append(EncodingCode.rleDictionary)
        } else {
            encodings.append(EncodingCode.plain)
        }
        let dataOffset = out.position

        let rowsPerPage = rowsPerPage(data.values, rowCount: rowCount)
        var row = 0
        var nonNullBefore = 0
        repeat {
            var end = min(rowCount, row + rowsPerPage)
            if let nested, nested.maxRepetition > 0 {
                // Pages start at a record boundary, as readers of v2 pages and page indexes expect.
                while end < rowCount && nested.repetition[end] != 0 { end += 1 }
            }
            let rows = row..<end
            pageBody.removeAll(keepingCapacity: true)
            var nonNull = rows.count
            if let nested {
                if nested.maxRepetition > 0 {
                    Self.appendLevels(nested.repetition, rows, max: nested.maxRepetition, into: &pageBody)
                }
                if nested.maxDefinition > 0 {
                    Self.appendLevels(nested.definition, rows, max: nested.maxDefinition, into: &pageBody)
                }
                if let validity {
                    nonNull = 0
                    for i in rows where validity[i] { nonNull += 1 }
                }
            } else if let validity {
                let lengthAt = pageBody.count
                pageBody.append(contentsOf: [0, 0, 0, 0])
                RLEHybridEncoder.encode(count: rows.count, bitWidth: 1, into: &pageBody) { validity[row + $0] ? 1 : 0 }
                pageBody.setLE32(UInt32(pageBody.count - lengthAt - 4), at: lengthAt)
                nonNull = 0
                for i in rows where validity[i] { nonNull += 1 }
            } else if !column.optional {
                // Required columns have no definition levels at all.
            } else {
                let lengthAt = pageBody.count
                pageBody.append(contentsOf: [0, 0, 0, 0])
                RLEHybridEncoder.encode(count: rows.count, bitWidth: 1, into: &pageBody) { _ in 1 }
                pageBody.setLE32(UInt32(pageBody.count - lengthAt - 4), at: lengthAt)
            }
            let pageEncoding: Int32
            switch encoding {
            case .dictionary(_, let count, let indices, _)?:
                let width = RLEHybridEncoder.bitWidth(forMax: UInt32(max(0, count - 1)))
                pageBody.append(UInt8(width))
                indices.withUnsafeBufferPointer { ix in
                    let base = nonNullBefore
                    RLEHybridEncoder.encode(count: nonNull, bitWidth: width, into: &pageBody) { ix[base + $0] }
                }
                pageEncoding = EncodingCode.rleDictionary
            default:
                appendPlain(data.values, validity: validity, rows: rows, into: &pageBody)
                pageEncoding = EncodingCode.plain
            }
            uncompressedTotal += writePage(pageBody, type: PageTypeCode.dataPage, numValues: rows.count, encoding: pageEncoding, into: &out.buffer)
            try out.drain()
            nonNullBefore += nonNull
            row = end
        } while row < rowCount

        var meta = ColumnChunkFormat()
        meta.fileOffset = Int64(dictionaryOffset ?? Int64(dataOffset))
        meta.type = Self.physicalType(column.type).rawValue
        meta.encodings = encodings
        meta.pathInSchema = nested?.path ?? [column.name]
        meta.codec = options.compression == .snappy ? CodecCode.snappy : CodecCode.uncompressed
        meta.numValues = Int64(rowCount)
        meta.totalUncompressedSize = Int64(uncompressedTotal)
        meta.totalCompressedSize = Int64(out.position - start)
        meta.dataPageOffset = Int64(dataOffset)
        meta.dictionaryPageOffset = dictionaryOffset
        meta.statistics = statsFormat
        return Result(metadata: meta, statistics: statistics)
    }

    /// Appends levels `rows` of `levels` as v1 data pages carry them: a 4-byte length, then RLE.
    private static func appendLevels(_ levels: [UInt8], _ rows: Range<Int>, max: Int, into body: inout [UInt8]) {
        let lengthAt = body.count
        body.append(contentsOf: [0, 0, 0, 0])
        let width = RLEHybridEncoder.bitWidth(forMax: UInt32(max))
        levels.withUnsafeBufferPointer { l in
            let base = rows.lowerBound
            RLEHybridEncoder.encode(count: rows.count, bitWidth: width, into: &body) { UInt32(l[base + $0]) }
        }
        body.setLE32(UInt32(body.count - lengthAt - 4), at: lengthAt)
    }

    /// Writes a page header and the (compressed) body; returns the uncompressed size
    /// including the header, as `total_uncompressed_size` counts it.
    private func writePage(_ body: [UInt8], type: Int32, numValues: Int, encoding: Int32, into out: inout [UInt8]) -> Int {
        var header = PageHeaderFormat()
        header.type = type
        header.numValues = Int32(numValues)
        header.encoding = encoding
        header.uncompressedPageSize = Int32(body.count)
        switch options.compression {
        case .uncompressed:
            header.compressedPageSize = Int32(body.count)
            if options.pageChecksums { header.crc = CRC32.checksum(body) }
            let headerStart = out.count
            header.encode(into: &out)
            let headerSize = out.count - headerStart
            out.append(contentsOf: body)
            return headerSize + body.count
        case .snappy:
            return body.withUnsafeBufferPointer { src in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Snappy.maxCompressedLength(src.count)) { scratch in
                    let compressed = UnsafeBufferPointer(start: scratch.baseAddress, count: Snappy.compress(src, to: scratch.baseAddress!))
                    header.compressedPageSize = Int32(compressed.count)
                    // The checksum covers the bytes as stored, after compression (PageHeader.crc).
                    if options.pageChecksums { header.crc = CRC32.checksum(compressed) }
                    let headerStart = out.count
                    header.encode(into: &out)
                    let headerSize = out.count - headerStart
                    out.append(contentsOf: compressed)
                    return headerSize + body.count
                }
            }
        }
    }

    private func rowsPerPage(_ values: ColumnValues, rowCount: Int) -> Int {
        let width: Int
        switch values {
        case .boolean: width = 1
        case .int32, .float: width = 4
        case .int64, .double: width = 8
        case .string(let v): width = v.isEmpty ? 8 : max(1, v.prefix(64).reduce(0) { $0 + $1.utf8.count + 4 } / min(64, v.count))
        case .utf8(let v): width = v.count == 0 ? 8 : max(1, v.bytes.count / v.count + 4)
        case .binary(let v): width = v.isEmpty ? 8 : max(1, v.prefix(64).reduce(0) { $0 + $1.count + 4 } / min(64, v.count))
        }
        return max(1, min(options.dataPageRowLimit, options.dataPageByteLimit / width))
    }

    private func appendPlain(_ values: ColumnValues, validity: [Bool]?, rows: Range<Int>, into out: inout [UInt8]) {
        switch values {
        case .boolean(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .int32(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .int64(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .float(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .double(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .string(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .utf8(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        case .binary(let v): PlainEncoder.encode(v, validity: validity, rows: rows, into: &out)
        }
    }

    // MARK: Dictionary

    private func dictionaryEncoding(_ values: ColumnValues, validity: [Bool]?) -> ValuesEncoding? {
        let limit = options.dictionaryPageByteLimit
        switch values {
        case .boolean: return nil
        case .int32(let v): return fixedDictionary(v, validity: validity, limit: limit, wrap: ColumnValues.int32)
        case .int64(let v): return fixedDictionary(v, validity: validity, limit: limit, wrap: ColumnValues.int64)
        case .float(let v): return fixedDictionary(v, validity: validity, limit: limit, wrap: ColumnValues.float)
        case .double(let v): return fixedDictionary(v, validity: validity, limit: limit, wrap: ColumnValues.double)
        case .string(let v):
            return bytesDictionary(count: v.count, validity: validity, limit: limit, entries: { .string($0.strings()) }) { i, d in
                StringBytes.with(v[i]) { d.index(of: $0) }
            }
        case .utf8(let v):
            return v.bytes.withUnsafeBufferPointer { bytes in
                v.offsets.withUnsafeBufferPointer { offsets in
                    bytesDictionary(count: v.count, validity: validity, limit: limit, entries: { .string($0.strings()) }) { i, d in
                        d.index(of: UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]]))
                    }
                }
            }
        case .binary(let v):
            return bytesDictionary(count: v.count, validity: validity, limit: limit, entries: { .binary($0.arrays()) }) { i, d in
                v[i].withUnsafeBufferPointer { d.index(of: $0) }
            }
        }
    }

    private func fixedDictionary<T: FixedWidthValue>(
        _ values: [T], validity: [Bool]?, limit: Int, wrap: ([T]) -> ColumnValues
    ) -> ValuesEncoding? {
        let maxEntries = limit / MemoryLayout<T>.size
        var map = FixedWidthDictionary()
        var entries = [T]()
        var indices = [UInt32]()
        indices.reserveCapacity(values.count)
        for i in values.indices where validity?[i] ?? true {
            let v = values[i]
            if let ix = map.indexOrInsert(v.bitKey) {
                indices.append(ix)
            } else {
                // Mostly distinct values after a fair sample: give up early, PLAIN is smaller.
                if entries.count >= maxEntries || (entries.count >= 4096 && entries.count * 4 > indices.count * 3) { return nil }
                indices.append(UInt32(entries.count))
                entries.append(v)
            }
        }
        // A dictionary that barely repeats only costs space and time.
        if entries.isEmpty || (entries.count * 2 > indices.count && indices.count > 64) { return nil }
        var page = [UInt8]()
        entries.withUnsafeBufferPointer { page.appendRaw($0) }
        return .dictionary(page: page, count: entries.count, indices: indices, entries: wrap(entries))
    }

    private func bytesDictionary(
        count: Int, validity: [Bool]?, limit: Int, entries: (ByteArrayDictionary) -> ColumnValues,
        insert: (Int, inout ByteArrayDictionary) -> UInt32
    ) -> ValuesEncoding? {
        var dictionary = ByteArrayDictionary()
        var indices = [UInt32]()
        indices.reserveCapacity(count)
        for i in 0..<count where validity?[i] ?? true {
            indices.append(insert(i, &dictionary))
            if dictionary.plainSize > limit { return nil }
            if dictionary.count >= 4096 && dictionary.count * 4 > indices.count * 3 { return nil }
        }
        if dictionary.count == 0 || (dictionary.count * 2 > indices.count && indices.count > 64) { return nil }
        var page = [UInt8]()
        dictionary.appendPlain(into: &page)
        return .dictionary(page: page, count: dictionary.count, indices: indices, entries: entries(dictionary))
    }

    static func physicalType(_ type: ParquetType) -> PhysicalType {
        switch type.storage {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .float: .float
        case .double: .double
        case .string, .binary: .byteArray
        }
    }
}
