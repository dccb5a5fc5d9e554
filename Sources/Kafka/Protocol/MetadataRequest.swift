/// Metadata v7 (key 3): brokers, and the leader of every partition (Kafka protocol guide).
struct MetadataRequest: KafkaRequest {
    struct Broker: Sendable { var nodeID: Int32; var host: String; var port: Int32 }
    struct Partition: Sendable { var errorCode: BrokerErrorCode; var index: Int32; var leader: Int32 }
    struct Topic: Sendable { var errorCode: BrokerErrorCode; var name: String; var partitions: [Partition] }
    struct Response: Sendable {
        var brokers: [Broker]
        var controllerID: Int32
        var topics: [Topic]
    }
    static let apiKey: Int16 = 3
    static let apiVersion: Int16 = 7
    static let name = "Metadata"

    /// nil asks for all topics.
    var topics: [String]?
    var allowAutoTopicCreation: Bool

    func encode(_ w: inout ProtocolWriter) {
        if let topics { w.array(topics) { $0.string($1) } } else { w.nullArray() }
        w.bool(allowAutoTopicCreation)
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let brokers = try r.array { r in
            let b = Broker(nodeID: try r.int32(), host: try r.string(), port: try r.int32())
            _ = try r.nullableString()
            return b
        }
        _ = try r.nullableString()
        let controller = try r.int32()
        let topics = try r.array { r -> Topic in
            let error = try r.errorCode()
            let name = try r.string()
            _ = try r.bool()
            let partitions = try r.array { r -> Partition in
                let p = Partition(errorCode: try r.errorCode(), index: try r.int32(), leader: try r.int32())
                _ = try r.int32()
                _ = try r.array { try $0.int32() }
                _ = try r.array { try $0.int32() }
                _ = try r.array { try $0.int32() }
                return p
            }
            return Topic(errorCode: error, name: name, partitions: partitions)
        }
        return Response(brokers: brokers, controllerID: controller, topics: topics)
    }
}
