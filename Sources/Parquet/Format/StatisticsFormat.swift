/// Column-chunk statistics as stored in the footer (parquet.thrift `Statistics`): plain-encoded
/// min and max, null count. `minValue`/`maxValue` (fields 6/5) follow the column order; the
/// deprecated `min`/`max` (2/1) are only trusted for signed numeric types.
struct StatisticsFormat {
    // Slices: read from a footer they share its bytes, one allocation fewer per bound.
    var max: ArraySlice<UInt8>?
    var min: ArraySlice<UInt8>?
    var nullCount: Int64?
    var distinctCount: Int64?
    var maxValue: ArraySlice<UInt8>?
    var minValue: ArraySlice<UInt8>?

    func encode(_ w: inout ThriftCompactWriter, fieldID: Int16) {
        w.beginStruct(fieldID)
        if let max { w.writeBinary(1, max) }
        if let min { w.writeBinary(2, min) }
        if let nullCount { w.writeI64(3, nullCount) }
        if let distinctCount { w.writeI64(4, distinctCount) }
        if let maxValue { w.writeBinary(5, maxValue) }
        if let minValue { w.writeBinary(6, minValue) }
        w.endStruct()
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> StatisticsFormat {
        var s = StatisticsFormat()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, 8): s.max = try r.readBinarySlice(f.type)
            case (2, 8): s.min = try r.readBinarySlice(f.type)
            case (3, _): s.nullCount = try r.readInt(f.type)
            case (4, _): s.distinctCount = try r.readInt(f.type)
            case (5, 8): s.maxValue = try r.readBinarySlice(f.type)
            case (6, 8): s.minValue = try r.readBinarySlice(f.type)
            default: try r.skip(f.type)
            }
        }
        return s
    }
}
