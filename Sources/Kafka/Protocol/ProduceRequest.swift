import NIOCore

/// Produce v7 (key 0): record batches per partition (Kafka protocol guide; Kafka 4.x keeps v3+).
struct ProduceRequest: KafkaRequest {
    struct PartitionData: Sendable { var partition: Int32; var records: ByteBuffer }
    struct TopicData: Sendable { var topic: String; var partitions: [PartitionData] }
    struct PartitionResponse: Sendable {
        var partition: Int32
        var errorCode: BrokerErrorCode
        var baseOffset: Int64
        var logAppendTime: Int64
    }
    struct Response: Sendable { var topics: [(String, [PartitionResponse])] }
    static let apiKey: Int16 = 0
    static let apiVersion: Int16 = 7
    static let name = "Produce"

    var acks: Int16
    var timeoutMs: Int32
    var topics: [TopicData]

    func encode(_ w: inout ProtocolWriter) {
        w.nullableString(nil)
        w.int16(acks)
        w.int32(timeoutMs)
        w.array(topics) { w, t in
            w.string(t.topic)
            w.array(t.partitions) { w, p in
                w.int32(p.partition)
                w.nullableBytes(p.records)
            }
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        let topics = try r.array { r -> (String, [PartitionResponse]) in
            let name = try r.string()
            let parts = try r.array { r -> PartitionResponse in
                let p = PartitionResponse(partition: try r.int32(), errorCode: try r.errorCode(),
                                          baseOffset: try r.int64(), logAppendTime: try r.int64())
                _ = try r.int64()
                return p
            }
            return (name, parts)
        }
        _ = try r.int32()
        return Response(topics: topics)
    }
}
