/// Turns footer statistics bytes into typed values. `min_value`/`max_value` are used when the
/// file declares type-defined column orders; the deprecated `min`/`max` only for types whose
/// old signed order equals the type order (not byte arrays), per parquet.thrift `Statistics`.
enum StatisticsDecoder {
    static func decode(_ s: StatisticsFormat, leaf: LeafColumn, typeDefinedOrder: Bool) -> ColumnStatistics {
        var minBytes = typeDefinedOrder ? s.minValue : nil
        var maxBytes = typeDefinedOrder ? s.maxValue : nil
        if minBytes == nil || maxBytes == nil, leaf.physicalType != .byteArray, leaf.physicalType != .fixedLenByteArray {
            minBytes = s.min
            maxBytes = s.max
        }
        var minValue = minBytes.flatMap { value($0, leaf) }
        var maxValue = maxBytes.flatMap { value($0, leaf) }
        if minValue == nil || maxValue == nil {
            minValue = nil
            maxValue = nil
        }
        return ColumnStatistics(nullCount: s.nullCount, min: minValue, max: maxValue)
    }

    private static func value(_ b: ArraySlice<UInt8>, _ leaf: LeafColumn) -> ParquetValue? {
        func load<T>(_ t: T.Type) -> T? {
            guard b.count == MemoryLayout<T>.size else { return nil }
            return b.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }
        switch leaf.physicalType {
        case .boolean: return b.count == 1 ? .boolean(b[b.startIndex] != 0) : nil
        case .int32: return load(Int32.self).map(ParquetValue.int32)
        case .int64: return load(Int64.self).map(ParquetValue.int64)
        case .float: return load(Float.self).flatMap { $0.isNaN ? nil : .float($0) }
        case .double: return load(Double.self).flatMap { $0.isNaN ? nil : .double($0) }
        case .byteArray, .fixedLenByteArray:
            return leaf.type == .string ? .string(String(decoding: b, as: UTF8.self)) : .binary(Array(b))
        case .int96: return nil
        }
    }
}
