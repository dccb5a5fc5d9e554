/// CreateTopics v4 (key 19): creates topics with partitions, replication factor and configs.
struct CreateTopicsRequest: KafkaRequest {
    struct Response: Sendable { var results: [(name: String, errorCode: BrokerErrorCode, message: String?)] }
    static let apiKey: Int16 = 19
    static let apiVersion: Int16 = 4
    static let name = "CreateTopics"

    var topics: [NewTopic]
    var timeoutMs: Int32

    func encode(_ w: inout ProtocolWriter) {
        w.array(topics) { w, t in
            w.string(t.name)
            w.int32(t.partitions)
            w.int16(t.replicationFactor)
            w.arrayCount(0)
            w.array(t.configs.sorted { $0.key < $1.key }) { w, c in
                w.string(c.key)
                w.nullableString(c.value)
            }
        }
        w.int32(timeoutMs)
        w.bool(false)
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let results = try r.array { r in (name: try r.string(), errorCode: try r.errorCode(), message: try r.nullableString()) }
        return Response(results: results)
    }
}

/// InitProducerId v3 (key 22, flexible): a producer id and epoch for idempotent produce (KIP-98).
///
/// v3 rather than v1: tansu rejects requests without the explicit `producer_id`/`producer_epoch`
/// (-1/-1 for a new producer) that v3 added (KIP-360); Kafka 3.x/4.x and Redpanda accept v3.
struct InitProducerIDRequest: KafkaRequest {
    struct Response: Sendable { var errorCode: BrokerErrorCode; var producerID: Int64; var epoch: Int16 }
    static let apiKey: Int16 = 22
    static let apiVersion: Int16 = 3
    static let flexible = true
    static let name = "InitProducerId"

    var transactionTimeoutMs: Int32

    func encode(_ w: inout ProtocolWriter) {
        w.nullableString(nil)
        w.int32(transactionTimeoutMs)
        w.int64(-1)
        w.int16(-1)
        w.taggedFields()
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let response = Response(errorCode: try r.errorCode(), producerID: try r.int64(), epoch: try r.int16())
        try r.skipTaggedFields()
        return response
    }
}
