/// One node of the flattened schema tree in the footer (parquet.thrift `SchemaElement`).
struct SchemaElement {
    var type: Int32?
    var typeLength: Int32?
    var repetition: Int32?
    var name: String = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var scale: Int32?
    var precision: Int32?
    var logicalType: LogicalTypeAnnotation?

    func encode(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()
        if let type { w.writeI32(1, type) }
        if let typeLength { w.writeI32(2, typeLength) }
        if let repetition { w.writeI32(3, repetition) }
        w.writeString(4, name)
        if let numChildren { w.writeI32(5, numChildren) }
        if let convertedType { w.writeI32(6, convertedType) }
        if let scale { w.writeI32(7, scale) }
        if let precision { w.writeI32(8, precision) }
        if let logicalType { logicalType.encode(&w, fieldID: 10) }
        w.endStruct()
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> SchemaElement {
        var e = SchemaElement()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, _): e.type = try r.readI32(f.type)
            case (2, _): e.typeLength = try r.readI32(f.type)
            case (3, _): e.repetition = try r.readI32(f.type)
            case (4, 8): e.name = try r.readString(f.type)
            case (5, _): e.numChildren = try r.readI32(f.type)
            case (6, _): e.convertedType = try r.readI32(f.type)
            case (7, _): e.scale = try r.readI32(f.type)
            case (8, _): e.precision = try r.readI32(f.type)
            case (10, 12): e.logicalType = try LogicalTypeAnnotation.decode(&r)
            default: try r.skip(f.type)
            }
        }
        return e
    }
}
