import NIOCore

/// Fetch v11 (key 1): records from partition positions, waiting up to `maxWaitMs` for `minBytes`.
struct FetchRequest: KafkaRequest {
    struct PartitionRequest: Sendable { var partition: Int32; var offset: Int64; var maxBytes: Int32 }
    struct PartitionResponse: Sendable {
        var partition: Int32
        var errorCode: BrokerErrorCode
        var highWatermark: Int64
        var records: ByteBuffer?
    }
    struct Response: Sendable {
        var errorCode: BrokerErrorCode
        var topics: [(String, [PartitionResponse])]
    }
    static let apiKey: Int16 = 1
    static let apiVersion: Int16 = 11
    static let name = "Fetch"

    var maxWaitMs: Int32
    var minBytes: Int32
    var maxBytes: Int32
    var topics: [(String, [PartitionRequest])]

    func encode(_ w: inout ProtocolWriter) {
        w.int32(-1)  // replica_id: a consumer
        w.int32(maxWaitMs)
        w.int32(minBytes)
        w.int32(maxBytes)
        w.int8(0)    // isolation_level READ_UNCOMMITTED
        w.int32(0)   // session_id: no fetch session (KIP-227)
        w.int32(-1)  // session_epoch -1: full fetch, no session
        w.array(topics) { w, t in
            w.string(t.0)
            w.array(t.1) { w, p in
                w.int32(p.partition)
                w.int32(-1)  // current_leader_epoch unknown
                w.int64(p.offset)
                w.int64(-1)  // log_start_offset: consumers send -1
                w.int32(p.maxBytes)
            }
        }
        w.arrayCount(0)  // forgotten_topics_data
        w.string("")     // rack_id
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let error = try r.errorCode()
        _ = try r.int32()
        let topics = try r.array { r -> (String, [PartitionResponse]) in
            let name = try r.string()
            let parts = try r.array { r -> PartitionResponse in
                let index = try r.int32()
                let code = try r.errorCode()
                let hw = try r.int64()
                _ = try r.int64()
                _ = try r.int64()
                _ = try r.array { r in (try r.int64(), try r.int64()) }
                _ = try r.int32()
                let records = try r.nullableBytesBuffer()
                return PartitionResponse(partition: index, errorCode: code, highWatermark: hw, records: records)
            }
            return (name, parts)
        }
        return Response(errorCode: error, topics: topics)
    }
}
