/// The header in front of every page (parquet.thrift `PageHeader` with `DataPageHeader`,
/// `DictionaryPageHeader` and `DataPageHeaderV2`).
struct PageHeaderFormat {
    var type: Int32 = 0
    var uncompressedPageSize: Int32 = 0
    var compressedPageSize: Int32 = 0
    /// CRC-32 of the page bytes after the header, as stored (compressed); nil when absent.
    var crc: UInt32?
    // Data page (v1) or dictionary page or data page v2 fields, merged.
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = EncodingCode.rle
    var hasDataPage = false
    var hasDictionaryPage = false
    var hasDataPageV2 = false
    // v2 only
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true

    /// Encodes a v1 data page header or a dictionary page header.
    func encode(into bytes: inout [UInt8]) {
        var w = ThriftCompactWriter(capacity: 32)
        w.writeI32(1, type)
        w.writeI32(2, uncompressedPageSize)
        w.writeI32(3, compressedPageSize)
        if let crc { w.writeI32(4, Int32(bitPattern: crc)) }
        if type == PageTypeCode.dictionaryPage {
            w.beginStruct(7)
            w.writeI32(1, numValues)
            w.writeI32(2, encoding)
            w.endStruct()
        } else {
            w.beginStruct(5)
            w.writeI32(1, numValues)
            w.writeI32(2, encoding)
            w.writeI32(3, EncodingCode.rle)
            w.writeI32(4, EncodingCode.rle)
            w.endStruct()
        }
        w.finishMessage()
        bytes.append(contentsOf: w.bytes)
    }

    static func decode(_ r: inout ThriftCompactReader) throws -> PageHeaderFormat {
        var h = PageHeaderFormat()
        var last: Int16 = 0
        while let f = try r.nextField(last: &last) {
            switch (f.id, f.type) {
            case (1, _): h.type = try r.readI32(f.type)
            case (2, _): h.uncompressedPageSize = try r.readI32(f.type)
            case (3, _): h.compressedPageSize = try r.readI32(f.type)
            case (4, _): h.crc = UInt32(bitPattern: try r.readI32(f.type))
            case (5, 12):
                h.hasDataPage = true
                var l: Int16 = 0
                while let g = try r.nextField(last: &l) {
                    switch g.id {
                    case 1: h.numValues = try r.readI32(g.type)
                    case 2: h.encoding = try r.readI32(g.type)
                    case 3: h.definitionLevelEncoding = try r.readI32(g.type)
                    default: try r.skip(g.type)
                    }
                }
            case (7, 12):
                h.hasDictionaryPage = true
                var l: Int16 = 0
                while let g = try r.nextField(last: &l) {
                    switch g.id {
                    case 1: h.numValues = try r.readI32(g.type)
                    case 2: h.encoding = try r.readI32(g.type)
                    default: try r.skip(g.type)
                    }
                }
            case (8, 12):
                h.hasDataPageV2 = true
                var l: Int16 = 0
                while let g = try r.nextField(last: &l) {
                    switch g.id {
                    case 1: h.numValues = try r.readI32(g.type)
                    case 2: h.numNulls = try r.readI32(g.type)
                    case 3: h.numRows = try r.readI32(g.type)
                    case 4: h.encoding = try r.readI32(g.type)
                    case 5: h.definitionLevelsByteLength = try r.readI32(g.type)
                    case 6: h.repetitionLevelsByteLength = try r.readI32(g.type)
                    case 7: h.isCompressed = g.boolValue
                    default: try r.skip(g.type)
                    }
                }
            default: try r.skip(f.type)
            }
        }
        return h
    }
}
