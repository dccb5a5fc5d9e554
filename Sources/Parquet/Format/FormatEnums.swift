/// Numeric codes of the Parquet Thrift enums (parquet.thrift: Type, FieldRepetitionType,
/// Encoding, CompressionCodec, PageType, ConvertedType), with names for error messages.
enum PhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    static func name(_ code: Int32) -> String {
        let names = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"]
        return names.indices.contains(Int(code)) ? names[Int(code)] : "type \(code)"
    }
}

enum Repetition: Int32 {
    case required = 0, optional = 1, repeated = 2
}

enum EncodingCode {
    static let plain: Int32 = 0
    static let plainDictionary: Int32 = 2
    static let rle: Int32 = 3
    static let bitPacked: Int32 = 4
    static let deltaBinaryPacked: Int32 = 5
    static let deltaLengthByteArray: Int32 = 6
    static let deltaByteArray: Int32 = 7
    static let rleDictionary: Int32 = 8
    static let byteStreamSplit: Int32 = 9

    static func name(_ code: Int32) -> String {
        switch code {
        case 0: "PLAIN"
        case 2: "PLAIN_DICTIONARY"
        case 3: "RLE"
        case 4: "BIT_PACKED"
        case 5: "DELTA_BINARY_PACKED"
        case 6: "DELTA_LENGTH_BYTE_ARRAY"
        case 7: "DELTA_BYTE_ARRAY"
        case 8: "RLE_DICTIONARY"
        case 9: "BYTE_STREAM_SPLIT"
        default: "encoding \(code)"
        }
    }
}

enum CodecCode {
    static let uncompressed: Int32 = 0
    static let snappy: Int32 = 1

    static func name(_ code: Int32) -> String {
        switch code {
        case 0: "UNCOMPRESSED"
        case 1: "SNAPPY"
        case 2: "GZIP"
        case 3: "LZO"
        case 4: "BROTLI"
        case 5: "LZ4"
        case 6: "ZSTD"
        case 7: "LZ4_RAW"
        default: "codec \(code)"
        }
    }
}

enum PageTypeCode {
    static let dataPage: Int32 = 0
    static let indexPage: Int32 = 1
    static let dictionaryPage: Int32 = 2
    static let dataPageV2: Int32 = 3
}

enum ConvertedTypeCode {
    static let utf8: Int32 = 0
    static let map: Int32 = 1
    static let mapKeyValue: Int32 = 2
    static let list: Int32 = 3
    static let enumeration: Int32 = 4
    static let decimal: Int32 = 5
    static let date: Int32 = 6
    static let timestampMillis: Int32 = 9
    static let timestampMicros: Int32 = 10
    static let uint8: Int32 = 11
    static let uint16: Int32 = 12
    static let uint32: Int32 = 13
    static let uint64: Int32 = 14
    static let int8: Int32 = 15
    static let int16: Int32 = 16
    static let int32: Int32 = 17
    static let int64: Int32 = 18
    static let json: Int32 = 19
}
