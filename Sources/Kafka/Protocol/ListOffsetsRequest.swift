/// ListOffsets v4 (key 2): the offset for a timestamp; -2 earliest, -1 latest.
struct ListOffsetsRequest: KafkaRequest {
    struct PartitionResponse: Sendable { var partition: Int32; var errorCode: BrokerErrorCode; var offset: Int64 }
    struct Response: Sendable { var topics: [(String, [PartitionResponse])] }
    static let apiKey: Int16 = 2
    static let apiVersion: Int16 = 4
    static let name = "ListOffsets"

    var topics: [(String, [(partition: Int32, timestamp: Int64)])]

    func encode(_ w: inout ProtocolWriter) {
        w.int32(-1)
        w.int8(0)
        w.array(topics) { w, t in
            w.string(t.0)
            w.array(t.1) { w, p in
                w.int32(p.partition)
                w.int32(-1)
                w.int64(p.timestamp)
            }
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let topics = try r.array { r -> (String, [PartitionResponse]) in
            let name = try r.string()
            let parts = try r.array { r -> PartitionResponse in
                let index = try r.int32()
                let code = try r.errorCode()
                _ = try r.int64()
                let offset = try r.int64()
                _ = try r.int32()
                return PartitionResponse(partition: index, errorCode: code, offset: offset)
            }
            return (name, parts)
        }
        return Response(topics: topics)
    }
}
