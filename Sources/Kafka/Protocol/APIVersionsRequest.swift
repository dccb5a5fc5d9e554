/// ApiVersions v3 (key 18): which versions of each API the broker supports.
///
/// Flexible body, but its response header is v0 (no tagged fields) so that a broker can always
/// answer it (KIP-511). A broker that does not know v3 answers in v0 format with
/// UNSUPPORTED_VERSION; `APIVersionsV0Request` is the fallback.
struct APIVersionsRequest: KafkaRequest {
    struct Response: Sendable {
        var errorCode: BrokerErrorCode
        var ranges: [Int16: ClosedRange<Int16>]
    }
    static let apiKey: Int16 = 18
    static let apiVersion: Int16 = 3
    static let flexible = true
    static let flexibleResponseHeader = false
    static let name = "ApiVersions"

    func encode(_ w: inout ProtocolWriter) {
        w.string("cryptoviz-swift-kafka")
        w.string("0.1")
        w.taggedFields()
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        let error = try r.errorCode()
        if error == .unsupportedVersion {
            // The broker fell back to the v0 body layout.
            var classic = ProtocolReader(buffer: r.buffer, flexible: false, context: r.context)
            let ranges = try APIVersionsV0Request.decodeRanges(&classic)
            return Response(errorCode: error, ranges: ranges)
        }
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for (key, lo, hi) in try r.array({ r -> (Int16, Int16, Int16) in
            let v = (try r.int16(), try r.int16(), try r.int16())
            try r.skipTaggedFields()
            return v
        }) where lo <= hi {
            ranges[key] = lo...hi
        }
        _ = try r.int32()
        try r.skipTaggedFields()
        return Response(errorCode: error, ranges: ranges)
    }
}

/// ApiVersions v0, for brokers that do not understand v3.
struct APIVersionsV0Request: KafkaRequest {
    typealias Response = APIVersionsRequest.Response
    static let apiKey: Int16 = 18
    static let apiVersion: Int16 = 0
    static let name = "ApiVersions"

    func encode(_ w: inout ProtocolWriter) {}

    static func decodeRanges(_ r: inout ProtocolReader) throws -> [Int16: ClosedRange<Int16>] {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for (key, lo, hi) in try r.array({ r in (try r.int16(), try r.int16(), try r.int16()) }) where lo <= hi {
            ranges[key] = lo...hi
        }
        return ranges
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        let error = try r.errorCode()
        return Response(errorCode: error, ranges: try decodeRanges(&r))
    }
}
