/// Decodes one column chunk into a `ColumnData`: dictionary and data pages, PLAIN,
/// RLE_DICTIONARY / PLAIN_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT (Parquet spec: Encodings).
/// Any other encoding throws an error naming it and the column.
struct ColumnChunkDecoder {
    let leaf: LeafColumn
    let pages: PageIterator
    let rowCount: Int
    /// A string column decodes into one buffer (`ColumnValues.utf8`) instead of `[String]`.
    var oneBuffer = false

    func decode() throws -> ColumnData {
        var levels = PageIterator.Levels(definition: [], repetition: [])
        return try decode(levels: &levels)
    }

    /// Decodes the chunk and, for a nested column, appends every slot's levels to `levels`
    /// (`rowCount` then counts slots, not records).
    func decode(levels: inout PageIterator.Levels) throws -> ColumnData {
        try Self.decode([self], levels: &levels)
    }

    /// Decodes chunks of one column (one per row group, in order) into one `ColumnData`,
    /// written once into an array sized for all of them: decoding per chunk and joining the
    /// parts copied every value again and faulted in the memory twice.
    static func decode(_ chunks: [ColumnChunkDecoder], levels: inout PageIterator.Levels) throws -> ColumnData {
        guard chunks.contains(where: { $0.pages.window != nil }) else { return try decodeAll(chunks, levels: &levels).data }
        // Chunks with a row window decode the pages that overlap it, then keep just its rows.
        var parts: [ColumnData] = []
        for chunk in chunks {
            let (data, starts) = try decodeAll([chunk], levels: &levels)
            guard let window = chunk.pages.window else {
                parts.append(data)
                continue
            }
            let local = (window.lowerBound - starts[0])..<(window.upperBound - starts[0])
            guard local.lowerBound >= 0, local.upperBound <= data.count else {
                throw ParquetError("column \(chunk.leaf.name): pages cover \(data.count) rows from \(starts[0]), window is \(window)")
            }
            parts.append(local.count == data.count ? data : data.rows(local))
        }
        guard let kind = parts.first?.values.kind else { throw ParquetError("no column chunk to decode") }
        return try ColumnData.concatenate(parts, kind: kind)
    }

    /// `decode`, and per chunk the row its decoded values start at (0 unless it has a window).
    private static func decodeAll(_ chunks: [ColumnChunkDecoder], levels: inout PageIterator.Levels) throws -> (data: ColumnData, starts: [Int]) {
        guard let leaf = chunks.first?.leaf else { throw ParquetError("no column chunk to decode") }
        var starts: [Int] = []
        let total = chunks.reduce(0) { $0 + $1.rowCount }
        var validity = [Bool]()
        if leaf.optional { validity.reserveCapacity(total) }
        let values: ColumnValues
        switch leaf.physicalType {
        case .boolean:
            var out = [Bool]()
            out.reserveCapacity(total)
            for c in chunks { starts.append(try c.decodeBooleans(&levels, into: &out, validity: &validity)) }
            values = .boolean(out)
        case .int32: values = .int32(try decodeFixed(Int32.self, chunks, total: total, &levels, &validity, &starts))
        case .int64: values = .int64(try decodeFixed(Int64.self, chunks, total: total, &levels, &validity, &starts))
        case .float: values = .float(try decodeFixed(Float.self, chunks, total: total, &levels, &validity, &starts))
        case .double: values = .double(try decodeFixed(Double.self, chunks, total: total, &levels, &validity, &starts))
        case .byteArray, .fixedLenByteArray:
            if leaf.type == .string && chunks.allSatisfy(\.oneBuffer) {
                var out = ByteStrings()
                for c in chunks { starts.append(try c.decodeByteStrings(&levels, into: &out, validity: &validity)) }
                values = .utf8(out)
            } else if leaf.type == .string {
                var out = [String]()
                out.reserveCapacity(total)
                for c in chunks {
                    starts.append(try c.decodeByteArrays(&levels, into: &out, validity: &validity) { String(decoding: $0, as: UTF8.self) })
                }
                values = .string(out)
            } else {
                var out = [[UInt8]]()
                out.reserveCapacity(total)
                for c in chunks { starts.append(try c.decodeByteArrays(&levels, into: &out, validity: &validity) { Array($0) }) }
                values = .binary(out)
            }
        case .int96:
            throw ParquetError("unsupported physical type INT96 in column \(leaf.name)")
        }
        return (ColumnData(values, validity: leaf.optional && validity.contains(false) ? validity : nil), starts)
    }

    private static func decodeFixed<T: FixedWidthValue>(
        _ type: T.Type, _ chunks: [ColumnChunkDecoder], total: Int, _ levels: inout PageIterator.Levels, _ validity: inout [Bool],
        _ starts: inout [Int]
    ) throws -> [T] {
        try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
            for c in chunks {
                starts.append(try c.decodeFixed(T.self, &levels, into: buffer, at: &initialized, validity: &validity))
            }
        }
    }

    private static func append(_ page: PageIterator.Levels?, to levels: inout PageIterator.Levels) {
        guard let page else { return }
        levels.definition.append(contentsOf: page.definition)
        levels.repetition.append(contentsOf: page.repetition)
    }

    func unsupported(_ encoding: Int32) -> ParquetError {
        ParquetError("unsupported encoding \(EncodingCode.name(encoding)) in column \(leaf.name) (\(PhysicalType.name(leaf.physicalType.rawValue)))")
    }

    /// Appends a page's non-null `values` to `out`, placing placeholders at null rows.
    static func scatter<T>(_ values: [T], validity: [Bool]?, placeholder: T, into out: inout [T]) {
        guard let validity else {
            out.append(contentsOf: values)
            return
        }
        var j = 0
        for present in validity {
            if present {
                out.append(values[j])
                j += 1
            } else {
                out.append(placeholder)
            }
        }
    }

    /// Checks that a chunk produced the rows its row group declares (with a row window, the
    /// rows of the pages kept) and returns the chunk row the decoded values start at.
    @discardableResult
    func checkRows(_ decoded: Int, _ pages: PageIterator) throws -> Int {
        let expected = pages.window != nil ? pages.keptRows : rowCount
        guard decoded == expected else {
            throw ParquetError("column \(leaf.name): decoded \(decoded) values, row group has \(expected) rows")
        }
        return pages.firstKeptRow ?? 0
    }

    func indices(_ values: ByteRegion, count: Int, dictionarySize: Int) throws -> [UInt32] {
        guard values.count > 0 else {
            if count == 0 { return [] }
            throw ParquetError("column \(leaf.name): dictionary indices missing")
        }
        let width = Int(values.buffer[values.range.lowerBound])
        let data = try values.dropFirst(1, "indices")
        var out = [UInt32](repeating: 0, count: count)
        try data.withUnsafeBytes { src in
            try out.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: width, count: count, into: $0) }
        }
        for ix in out where Int(ix) >= dictionarySize {
            throw ParquetError("column \(leaf.name): dictionary index \(ix) out of \(dictionarySize) entries")
        }
        return out
    }

    // MARK: Fixed width

    private func plainFixed<T: FixedWidthValue>(_ type: T.Type, _ region: ByteRegion, count: Int) throws -> [T] {
        let size = MemoryLayout<T>.size
        guard count <= region.count / size else {
            throw ParquetError("column \(leaf.name): \(count) values need \(count * size) bytes, page has \(region.count)")
        }
        return region.withUnsafeBytes { src in
            [T](unsafeUninitializedCapacity: count) { dst, n in
                UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(src)[0..<(count * size)]))
                n = count
            }
        }
    }

    /// Decodes this chunk's pages into `out` from index `at` (advanced past them), writing a
    /// placeholder at each null; PLAIN and dictionary pages go straight into `out`.
    private func decodeFixed<T: FixedWidthValue>(
        _ type: T.Type, _ levels: inout PageIterator.Levels, into out: UnsafeMutableBufferPointer<T>, at: inout Int,
        validity: inout [Bool]
    ) throws -> Int {
        let first = at
        var dictionary: [T]?
        var pages = pages
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                dictionary = try plainFixed(T.self, values, count: count)
            case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels):
                guard count <= out.count - at, nonNull <= count, pageValidity != nil || nonNull == count else {
                    throw ParquetError("column \(leaf.name): a page's \(count) rows and \(nonNull) values do not fit the row group's \(rowCount) rows")
                }
                let dst = out.baseAddress! + at
                switch encoding {
                case EncodingCode.plain:
                    let size = MemoryLayout<T>.size
                    guard nonNull <= values.count / size else {
                        throw ParquetError("column \(leaf.name): \(nonNull) values need \(nonNull * size) bytes, page has \(values.count)")
                    }
                    values.withUnsafeBytes { src in
                        let raw = UnsafeRawPointer(src.baseAddress!)
                        if let pageValidity {
                            var j = 0
                            for i in 0..<count {
                                if pageValidity[i] {
                                    dst[i] = raw.loadUnaligned(fromByteOffset: j * size, as: T.self)
                                    j += 1
                                } else {
                                    dst[i] = .zero
                                }
                            }
                        } else {
                            UnsafeMutableRawPointer(dst).copyMemory(from: raw, byteCount: count * size)
                        }
                    }
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.count)
                    dictionary.withUnsafeBufferPointer { d in
                        ix.withUnsafeBufferPointer { ix in Self.gather(d, ix, validity: pageValidity, count: count, into: dst) }
                    }
                case EncodingCode.deltaBinaryPacked where T.self == Int32.self || T.self == Int64.self:
                    let (raw, _) = try DeltaDecoder.binaryPacked(values, maxCount: nonNull, column: leaf.name)
                    guard raw.count == nonNull else { throw ParquetError("column \(leaf.name): \(raw.count) delta values for \(nonNull) rows") }
                    Self.place(raw.map { T(deltaValue: $0) }, validity: pageValidity, count: count, into: dst)
                case EncodingCode.byteStreamSplit:
                    Self.place(try byteStreamSplit(T.self, values, count: nonNull), validity: pageValidity, count: count, into: dst)
                default:
                    throw unsupported(encoding)
                }
                at += count
                if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
                Self.append(pageLevels, to: &levels)
            }
        }
        return try checkRows(at - first, pages)
    }

    /// Writes `dictionary[ix[j]]` for each present row of a page (zero at nulls).
    private static func gather<T: FixedWidthValue>(
        _ dictionary: UnsafeBufferPointer<T>, _ ix: UnsafeBufferPointer<UInt32>, validity: [Bool]?, count: Int,
        into dst: UnsafeMutablePointer<T>
    ) {
        guard let validity else {
            for i in 0..<ix.count { dst[i] = dictionary[Int(ix[i])] }
            return
        }
        var j = 0
        for i in 0..<count {
            if validity[i] {
                dst[i] = dictionary[Int(ix[j])]
                j += 1
            } else {
                dst[i] = .zero
            }
        }
    }

    /// Writes a page's non-null values into its rows (zero at nulls).
    private static func place<T: FixedWidthValue>(_ values: [T], validity: [Bool]?, count: Int, into dst: UnsafeMutablePointer<T>) {
        var j = 0
        for i in 0..<count {
            if validity?[i] ?? true {
                dst[i] = values[j]
                j += 1
            } else {
                dst[i] = .zero
            }
        }
    }

    private func byteStreamSplit<T: FixedWidthValue>(_ type: T.Type, _ region: ByteRegion, count: Int) throws -> [T] {
        let size = MemoryLayout<T>.size
        guard count <= region.count / size else { throw ParquetError("column \(leaf.name): BYTE_STREAM_SPLIT page too short") }
        return region.withUnsafeBytes { src in
            [T](unsafeUninitializedCapacity: count) { dst, n in
                let raw = UnsafeMutableRawBufferPointer(dst)
                for stream in 0..<size {
                    for i in 0..<count { raw[i * size + stream] = src[stream * count + i] }
                }
                n = count
            }
        }
    }

    // MARK: Booleans

    private func decodeBooleans(_ levels: inout PageIterator.Levels, into out: inout [Bool], validity: inout [Bool]) throws -> Int {
        let first = out.count
        var pages = pages
        while let page = try pages.next() {
            guard case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels) = page else {
                throw ParquetError("column \(leaf.name): dictionary page in a BOOLEAN column")
            }
            var decoded = [Bool]()
            decoded.reserveCapacity(nonNull)
            switch encoding {
            case EncodingCode.plain:
                guard nonNull <= values.count * 8 else { throw ParquetError("column \(leaf.name): boolean page too short") }
                values.withUnsafeBytes { p in
                    for i in 0..<nonNull { decoded.append(p[i >> 3] >> UInt8(i & 7) & 1 == 1) }
                }
            case EncodingCode.rle:
                let length = Int(try values.le32(at: 0))
                let data = try values.sub(4, length, "column \(leaf.name): RLE booleans")
                var raw = [UInt32](repeating: 0, count: nonNull)
                try data.withUnsafeBytes { src in
                    try raw.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: 1, count: nonNull, into: $0) }
                }
                decoded = raw.map { $0 == 1 }
            default:
                throw unsupported(encoding)
            }
            Self.scatter(decoded, validity: pageValidity, placeholder: false, into: &out)
            if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
            Self.append(pageLevels, to: &levels)
        }
        return try checkRows(out.count - first, pages)
    }

    // MARK: Byte arrays

    /// Calls `emit` with each PLAIN byte array of the region (length-prefixed, or of the
    /// column's fixed length for FIXED_LEN_BYTE_ARRAY).
    func plainByteArrays(_ region: ByteRegion, count: Int, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        try region.withUnsafeBytes { p in
            var pos = 0
            if leaf.physicalType == .fixedLenByteArray {
                let size = leaf.typeLength
                guard size >= 0, size == 0 || count <= p.count / size else {
                    throw ParquetError("column \(leaf.name): \(count) values of \(size) bytes exceed page")
                }
                for _ in 0..<count {
                    emit(UnsafeBufferPointer(rebasing: p[pos..<(pos + size)]))
                    pos += size
                }
                return
            }
            for i in 0..<count {
                guard p.count - pos >= 4 else { throw ParquetError("column \(leaf.name): truncated length of value \(i)") }
                let length = Int(UnsafeRawPointer(p.baseAddress! + pos).loadUnaligned(as: UInt32.self).littleEndian)
                pos += 4
                guard length <= p.count - pos else {
                    throw ParquetError("column \(leaf.name): value \(i) length \(length) exceeds page (\(p.count - pos) bytes left)")
                }
                emit(UnsafeBufferPointer(rebasing: p[pos..<(pos + length)]))
                pos += length
            }
        }
    }

    /// `decodeByteArrays` into one buffer: no allocation per value.
    private func decodeByteStrings(_ levels: inout PageIterator.Levels, into out: inout ByteStrings, validity: inout [Bool]) throws -> Int {
        let first = out.count
        var dictionary: ByteStrings?
        var pages = pages
        var decoded = ByteStrings()
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                var d = ByteStrings()
                try plainByteArrays(values, count: count) { d.append($0) }
                dictionary = d
            case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels):
                let direct = pageValidity == nil
                decoded.removeAll()
                func emit(_ v: UnsafeBufferPointer<UInt8>) {
                    if direct { out.append(v) } else { decoded.append(v) }
                }
                switch encoding {
                case EncodingCode.plain:
                    try plainByteArrays(values, count: nonNull) { emit($0) }
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.count)
                    for i in ix { dictionary.withValue(Int(i)) { emit($0) } }
                case EncodingCode.deltaLengthByteArray:
                    _ = try DeltaDecoder.lengthByteArray(values, count: nonNull, column: leaf.name) { range in
                        values.buffer.withUnsafeBufferPointer { emit(UnsafeBufferPointer(rebasing: $0[range])) }
                    }
                case EncodingCode.deltaByteArray:
                    try DeltaDecoder.byteArray(values, count: nonNull, column: leaf.name) { emit($0) }
                default:
                    throw unsupported(encoding)
                }
                if let pageValidity {
                    var j = 0
                    for present in pageValidity {
                        if present {
                            decoded.withValue(j) { out.append($0) }
                            j += 1
                        } else {
                            out.appendEmpty()
                        }
                    }
                }
                if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
                Self.append(pageLevels, to: &levels)
            }
        }
        return try checkRows(out.count - first, pages)
    }

    /// Decodes this chunk's pages onto the end of `out`, a placeholder (empty) at each null.
    private func decodeByteArrays<V>(
        _ levels: inout PageIterator.Levels, into out: inout [V], validity: inout [Bool], make: (UnsafeBufferPointer<UInt8>) -> V
    ) throws -> Int {
        let first = out.count
        var dictionary: [V]?
        var pages = pages
        let placeholder = make(UnsafeBufferPointer(start: nil, count: 0))
        var decoded = [V]()
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                var d = [V]()
                d.reserveCapacity(count)
                try plainByteArrays(values, count: count) { d.append(make($0)) }
                dictionary = d
            case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels):
                // A page without nulls appends straight to `out`; one with nulls collects its
                // values first and spreads them over its rows.
                let direct = pageValidity == nil
                decoded.removeAll(keepingCapacity: true)
                func emit(_ v: V) {
                    if direct { out.append(v) } else { decoded.append(v) }
                }
                switch encoding {
                case EncodingCode.plain:
                    try plainByteArrays(values, count: nonNull) { emit(make($0)) }
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.count)
                    for i in ix { emit(dictionary[Int(i)]) }
                case EncodingCode.deltaLengthByteArray:
                    _ = try DeltaDecoder.lengthByteArray(values, count: nonNull, column: leaf.name) { range in
                        values.buffer.withUnsafeBufferPointer { emit(make(UnsafeBufferPointer(rebasing: $0[range]))) }
                    }
                case EncodingCode.deltaByteArray:
                    try DeltaDecoder.byteArray(values, count: nonNull, column: leaf.name) { emit(make($0)) }
                default:
                    throw unsupported(encoding)
                }
                if !direct { Self.scatter(decoded, validity: pageValidity, placeholder: placeholder, into: &out) }
                if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
                Self.append(pageLevels, to: &levels)
            }
        }
        return try checkRows(out.count - first, pages)
    }
}
