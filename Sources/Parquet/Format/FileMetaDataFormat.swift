/// The file footer (parquet.thrift `FileMetaData`).
struct FileMetaDataFormat {
    var version: Int32 = 1
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroupFormat] = []
    var keyValueMetadata: [(key: String, value: String?)] = []
    var createdBy: String?
    /// Whether `column_orders` lists TypeDefinedOrder, which makes `min_value`/`max_value` valid.
    var hasTypeDefinedColumnOrders = false

    func encode() -> [UInt8] {
        var w = ThriftCompactWriter(capacity: 1024)
        w.writeI32(1, version)
        w.beginList(2, elementType: .structure, count: schema.count)
        for e in schema { e.encode(&w) }
        w.writeI64(3, numRows)
        w.beginList(4, elementType: .structure, count: rowGroups.count)
        for g in rowGroups { g.encode(&w) }
        if !keyValueMetadata.isEmpty {
            w.beginList(5, elementType: .structure, count: keyValueMetadata.count)
            for kv in keyValueMetadata {
                w.beginStructElement()
                w.writeString(1, kv.key)
                if let v = kv.value { w.writeString(2, v) }
                w.endStruct()
            }
        }
        if let createdBy { w.writeString(6, createdBy) }
        if hasTypeDefinedColumnOrders {
            let leaves = schema.dropFirst().filter { ($0.numChildren ?? 0) == 0 }.count
            w.beginList(7, elementType: .structure, count: leaves)
            for _ in 0..<leaves {
                w.beginStructElement()
                w.beginStruct(1)
                w.endStruct()
                w.endStruct()
            }
        }
        w.finishMessage()
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], range: Range<Int>) throws -> FileMetaDataFormat {
        var r = ThriftCompactReader(bytes: bytes, range: range)
        var m = FileMetaDataFormat()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, _): m.version = try r.readI32(f.type)
            case (2, 9):
                let (elementType, count) = try r.readListHeader(f.type)
                guard elementType == 12 else { throw ParquetError("footer: schema elements are not structs") }
                m.schema.reserveCapacity(count)
                for _ in 0..<count { m.schema.append(try SchemaElement.decode(&r)) }
            case (3, _): m.numRows = try r.readInt(f.type)
            case (4, 9):
                let (elementType, count) = try r.readListHeader(f.type)
                guard elementType == 12 else { throw ParquetError("footer: row groups are not structs") }
                for _ in 0..<count { m.rowGroups.append(try RowGroupFormat.decode(&r)) }
            case (5, 9):
                let (elementType, count) = try r.readListHeader(f.type)
                guard elementType == 12 else { throw ParquetError("footer: key-value metadata entries are not structs") }
                for _ in 0..<count {
                    var key = ""
                    var value: String?
                    var kvLast: Int16 = 0
                    while let kf = try r.nextField(last: &kvLast) {
                        switch (kf.id, kf.type) {
                        case (1, 8): key = try r.readString(kf.type)
                        case (2, 8): value = try r.readString(kf.type)
                        default: try r.skip(kf.type)
                        }
                    }
                    m.keyValueMetadata.append((key, value))
                }
            case (6, 8): m.createdBy = try r.readString(f.type)
            case (7, 9):
                let (elementType, count) = try r.readListHeader(f.type)
                guard elementType == 12 else { throw ParquetError("footer: column orders are not structs") }
                var allTypeDefined = count > 0
                for _ in 0..<count {
                    var oLast: Int16 = 0
                    var typeDefined = false
                    while let of = try r.nextField(last: &oLast) {
                        if of.id == 1 { typeDefined = true }
                        try r.skip(of.type)
                    }
                    allTypeDefined = allTypeDefined && typeDefined
                }
                m.hasTypeDefinedColumnOrders = allTypeDefined
            default: try r.skip(f.type)
            }
        }
        return m
    }
}

extension FileMetaDataFormat {
    /// Appends the file's tail: this footer, its length, and the closing magic (Parquet
    /// format, "File format").
    func appendFooter(to out: inout [UInt8]) {
        let footer = encode()
        out.append(contentsOf: footer)
        out.appendLE32(UInt32(footer.count))
        out.append(contentsOf: Array("PAR1".utf8))
    }
}
