/// Where a column chunk lives and how it is encoded (parquet.thrift `ColumnChunk` with its
/// `ColumnMetaData`, flattened since this library never writes chunks to other files).
struct ColumnChunkFormat {
    var fileOffset: Int64 = 0
    var type: Int32 = 0
    var encodings: [Int32] = []
    var pathInSchema: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsFormat?
    var hasMetaData = false
    var filePath: String?

    func encode(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()
        w.writeI64(2, fileOffset)
        w.beginStruct(3)
        w.writeI32(1, type)
        w.beginList(2, elementType: .i32, count: encodings.count)
        for e in encodings { w.appendI32Element(e) }
        w.beginList(3, elementType: .binary, count: pathInSchema.count)
        for p in pathInSchema { w.appendBinaryElement(Array(p.utf8)) }
        w.writeI32(4, codec)
        w.writeI64(5, numValues)
        w.writeI64(6, totalUncompressedSize)
        w.writeI64(7, totalCompressedSize)
        w.writeI64(9, dataPageOffset)
        if let dictionaryPageOffset { w.writeI64(11, dictionaryPageOffset) }
        if let statistics { statistics.encode(&w, fieldID: 12) }
        w.endStruct()
        w.endStruct()
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> ColumnChunkFormat {
        var c = ColumnChunkFormat()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, 8): c.filePath = try r.readString(f.type)
            case (2, _): c.fileOffset = try r.readInt(f.type)
            case (3, 12): try decodeMetaData(&r, into: &c)
            default: try r.skip(f.type)
            }
        }
        return c
    }

    private static func decodeMetaData(_ r: inout ThriftCompactReader, into c: inout ColumnChunkFormat) throws {
        c.hasMetaData = true
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, _): c.type = try r.readI32(f.type)
            // Encodings (2) and the path in the schema (3) are left unread: readers take the
            // encoding from each page header and the path from the schema, and a footer holds
            // one of each per column chunk, so building them was a good share of opening a file.
            case (4, _): c.codec = try r.readI32(f.type)
            case (5, _): c.numValues = try r.readInt(f.type)
            case (6, _): c.totalUncompressedSize = try r.readInt(f.type)
            case (7, _): c.totalCompressedSize = try r.readInt(f.type)
            case (9, _): c.dataPageOffset = try r.readInt(f.type)
            case (11, _): c.dictionaryPageOffset = try r.readInt(f.type)
            case (12, 12): c.statistics = try StatisticsFormat.decode(&r)
            default: try r.skip(f.type)
            }
        }
    }
}
