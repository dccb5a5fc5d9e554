/// Decodes one column chunk into a `ColumnData`: dictionary and data pages, PLAIN,
/// RLE_DICTIONARY / PLAIN_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT (Parquet spec: Encodings).
/// Any other encoding throws an error naming it and the column.
struct ColumnChunkDecoder {
    let leaf: LeafColumn
    let pages: PageIterator
    let rowCount: Int

    func decode() throws -> ColumnData {
        var levels = PageIterator.Levels(definition: [], repetition: [])
        return try decode(levels: &levels)
    }

    /// Decodes the chunk and, for a nested column, appends every slot's levels to `levels`
    /// (`rowCount` then counts slots, not records).
    func decode(levels: inout PageIterator.Levels) throws -> ColumnData {
        switch leaf.physicalType {
        case .boolean: return try decodeBooleans(&levels)
        case .int32: return try decodeFixed(Int32.self, &levels, wrap: ColumnValues.int32)
        case .int64: return try decodeFixed(Int64.self, &levels, wrap: ColumnValues.int64)
        case .float: return try decodeFixed(Float.self, &levels, wrap: ColumnValues.float)
        case .double: return try decodeFixed(Double.self, &levels, wrap: ColumnValues.double)
        case .byteArray, .fixedLenByteArray:
            if leaf.type == .string {
                return try decodeByteArrays(&levels, wrap: ColumnValues.string) { String(decoding: $0, as: UTF8.self) }
            }
            return try decodeByteArrays(&levels, wrap: ColumnValues.binary) { Array($0) }
        case .int96:
            throw ParquetError("unsupported physical type INT96 in column \(leaf.name)")
        }
    }

    private static func append(_ page: PageIterator.Levels?, to levels: inout PageIterator.Levels) {
        guard let page else { return }
        levels.definition.append(contentsOf: page.definition)
        levels.repetition.append(contentsOf: page.repetition)
    }

    private func unsupported(_ encoding: Int32) -> ParquetError {
        ParquetError("unsupported encoding \(EncodingCode.name(encoding)) in column \(leaf.name) (\(PhysicalType.name(leaf.physicalType.rawValue)))")
    }

    /// Appends a page's non-null `values` to `out`, placing placeholders at null rows.
    private static func scatter<T>(_ values: [T], validity: [Bool]?, placeholder: T, into out: inout [T]) {
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

    private func finish<T>(_ out: [T], _ validity: [Bool], _ wrap: ([T]) -> ColumnValues) throws -> ColumnData {
        guard out.count == rowCount else {
            throw ParquetError("column \(leaf.name): decoded \(out.count) values, row group has \(rowCount) rows")
        }
        return ColumnData(wrap(out), validity: leaf.optional && validity.contains(false) ? validity : nil)
    }

    private func indices(_ values: ByteRegion, count: Int, dictionarySize: Int) throws -> [UInt32] {
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

    private func decodeFixed<T: FixedWidthValue>(_ type: T.Type, _ levels: inout PageIterator.Levels, wrap: ([T]) -> ColumnValues) throws -> ColumnData {
        var out = [T]()
        out.reserveCapacity(min(rowCount, 1 << 20))
        var validity = [Bool]()
        var dictionary: [T]?
        var pages = pages
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                dictionary = try plainFixed(T.self, values, count: count)
            case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels):
                let decoded: [T]
                switch encoding {
                case EncodingCode.plain:
                    decoded = try plainFixed(T.self, values, count: nonNull)
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.count)
                    decoded = dictionary.withUnsafeBufferPointer { d in ix.map { d[Int($0)] } }
                case EncodingCode.deltaBinaryPacked where T.self == Int32.self || T.self == Int64.self:
                    let (raw, _) = try DeltaDecoder.binaryPacked(values, maxCount: nonNull, column: leaf.name)
                    guard raw.count == nonNull else { throw ParquetError("column \(leaf.name): \(raw.count) delta values for \(nonNull) rows") }
                    decoded = raw.map { T(deltaValue: $0) }
                case EncodingCode.byteStreamSplit:
                    decoded = try byteStreamSplit(T.self, values, count: nonNull)
                default:
                    throw unsupported(encoding)
                }
                Self.scatter(decoded, validity: pageValidity, placeholder: .zero, into: &out)
                if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
                Self.append(pageLevels, to: &levels)
            }
        }
        return try finish(out, validity, wrap)
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

    private func decodeBooleans(_ levels: inout PageIterator.Levels) throws -> ColumnData {
        var out = [Bool]()
        var validity = [Bool]()
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
        return try finish(out, validity, ColumnValues.boolean)
    }

    // MARK: Byte arrays

    /// Calls `emit` with each PLAIN byte array of the region (length-prefixed, or of the
    /// column's fixed length for FIXED_LEN_BYTE_ARRAY).
    private func plainByteArrays(_ region: ByteRegion, count: Int, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws {
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

    private func decodeByteArrays<V>(_ levels: inout PageIterator.Levels, wrap: ([V]) -> ColumnValues, make: (UnsafeBufferPointer<UInt8>) -> V) throws -> ColumnData {
        var out = [V]()
        out.reserveCapacity(min(rowCount, 1 << 20))
        var validity = [Bool]()
        var dictionary: [V]?
        var pages = pages
        let placeholder = make(UnsafeBufferPointer(start: nil, count: 0))
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                var d = [V]()
                d.reserveCapacity(count)
                try plainByteArrays(values, count: count) { d.append(make($0)) }
                dictionary = d
            case .data(let count, let pageValidity, let nonNull, let encoding, let values, let pageLevels):
                var decoded = [V]()
                decoded.reserveCapacity(nonNull)
                switch encoding {
                case EncodingCode.plain:
                    try plainByteArrays(values, count: nonNull) { decoded.append(make($0)) }
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.count)
                    for i in ix { decoded.append(dictionary[Int(i)]) }
                case EncodingCode.deltaLengthByteArray:
                    _ = try DeltaDecoder.lengthByteArray(values, count: nonNull, column: leaf.name) { range in
                        values.buffer.withUnsafeBufferPointer { decoded.append(make(UnsafeBufferPointer(rebasing: $0[range]))) }
                    }
                case EncodingCode.deltaByteArray:
                    try DeltaDecoder.byteArray(values, count: nonNull, column: leaf.name) { decoded.append(make($0)) }
                default:
                    throw unsupported(encoding)
                }
                Self.scatter(decoded, validity: pageValidity, placeholder: placeholder, into: &out)
                if leaf.optional { validity.append(contentsOf: pageValidity ?? [Bool](repeating: true, count: count)) }
                Self.append(pageLevels, to: &levels)
            }
        }
        return try finish(out, validity, wrap)
    }
}
