extension ColumnChunkDecoder {
    /// Per row of the chunk, whether it holds exactly the bytes `value` (a null never does).
    /// Dictionary-encoded pages are matched on their indices against the one dictionary entry
    /// equal to `value`, so no value is built: finding an asset's rows costs an RLE decode,
    /// not a string per row. For flat byte-array columns.
    func rowsEqual(_ value: [UInt8]) throws -> [Bool] {
        guard leaf.physicalType == .byteArray || leaf.physicalType == .fixedLenByteArray, leaf.maxRepetition == 0 else {
            throw ParquetError("column \(leaf.name): rows can be matched on flat byte-array columns only")
        }
        var out = [Bool]()
        out.reserveCapacity(rowCount)
        var dictionary: (size: Int, target: UInt32?)?
        var present = [Bool]()
        var pages = pages
        while let page = try pages.next() {
            switch page {
            case .dictionary(let count, let values):
                var target: UInt32?, i: UInt32 = 0
                try plainByteArrays(values, count: count) { bytes in
                    if target == nil, bytes.elementsEqual(value) { target = i }
                    i &+= 1
                }
                dictionary = (count, target)
            case .data(_, let validity, let nonNull, let encoding, let values, _):
                present.removeAll(keepingCapacity: true)
                switch encoding {
                case EncodingCode.rleDictionary, EncodingCode.plainDictionary:
                    guard let dictionary else { throw ParquetError("column \(leaf.name): dictionary-encoded page without a dictionary") }
                    // Indices are decoded (and bounds-checked) even when no entry matches.
                    let ix = try indices(values, count: nonNull, dictionarySize: dictionary.size)
                    if let target = dictionary.target {
                        for i in ix { present.append(i == target) }
                    } else {
                        present = [Bool](repeating: false, count: nonNull)
                    }
                case EncodingCode.plain:
                    try plainByteArrays(values, count: nonNull) { present.append($0.elementsEqual(value)) }
                case EncodingCode.deltaLengthByteArray:
                    _ = try DeltaDecoder.lengthByteArray(values, count: nonNull, column: leaf.name) { range in
                        values.buffer.withUnsafeBufferPointer { present.append($0[range].elementsEqual(value)) }
                    }
                case EncodingCode.deltaByteArray:
                    try DeltaDecoder.byteArray(values, count: nonNull, column: leaf.name) { present.append($0.elementsEqual(value)) }
                default:
                    throw unsupported(encoding)
                }
                guard present.count == nonNull else {
                    throw ParquetError("column \(leaf.name): a page decoded to \(present.count) of its \(nonNull) values")
                }
                Self.scatter(present, validity: validity, placeholder: false, into: &out)
            }
        }
        try checkRows(out.count, pages)
        return out
    }
}
