/// A horizontal slice of the table (parquet.thrift `RowGroup`).
struct RowGroupFormat {
    var columns: [ColumnChunkFormat] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0
    var fileOffset: Int64?
    var totalCompressedSize: Int64?
    var ordinal: Int16?

    func encode(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()
        w.beginList(1, elementType: .structure, count: columns.count)
        for c in columns { c.encode(&w) }
        w.writeI64(2, totalByteSize)
        w.writeI64(3, numRows)
        if let fileOffset { w.writeI64(5, fileOffset) }
        if let totalCompressedSize { w.writeI64(6, totalCompressedSize) }
        if let ordinal { w.writeI16(7, ordinal) }
        w.endStruct()
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> RowGroupFormat {
        var g = RowGroupFormat()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, 9):
                let (elementType, count) = try r.readListHeader(f.type)
                guard elementType == 12 else { throw ParquetError("footer: row group columns are not structs") }
                for _ in 0..<count { g.columns.append(try ColumnChunkFormat.decode(&r)) }
            case (2, _): g.totalByteSize = try r.readInt(f.type)
            case (3, _): g.numRows = try r.readInt(f.type)
            case (5, _): g.fileOffset = try r.readInt(f.type)
            case (6, _): g.totalCompressedSize = try r.readInt(f.type)
            default: try r.skip(f.type)
            }
        }
        return g
    }
}
