/// OffsetCommit v7 (key 8): stores the next offset to consume per partition for a group.
struct OffsetCommitRequest: KafkaRequest {
    struct Response: Sendable { var results: [(topic: String, partition: Int32, errorCode: BrokerErrorCode)] }
    static let apiKey: Int16 = 8
    static let apiVersion: Int16 = 7
    static let name = "OffsetCommit"

    var groupID: String
    /// -1 and "" for a consumer outside group management (manual assignment).
    var generationID: Int32
    var memberID: String
    var offsets: [(String, [(partition: Int32, offset: Int64)])]

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        w.int32(generationID)
        w.string(memberID)
        w.nullableString(nil)
        w.array(offsets) { w, t in
            w.string(t.0)
            w.array(t.1) { w, p in
                w.int32(p.partition)
                w.int64(p.offset)
                w.int32(-1)
                w.nullableString(nil)
            }
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        var results: [(String, Int32, BrokerErrorCode)] = []
        for (topic, parts) in try r.array({ r in
            (try r.string(), try r.array { r in (try r.int32(), try r.errorCode()) })
        }) {
            for (p, code) in parts { results.append((topic, p, code)) }
        }
        return Response(results: results.map { (topic: $0.0, partition: $0.1, errorCode: $0.2) })
    }
}

/// OffsetFetch v5 (key 9): committed offsets of a group; a null topic list asks for all of them.
struct OffsetFetchRequest: KafkaRequest {
    struct Response: Sendable {
        var errorCode: BrokerErrorCode
        var offsets: [(topic: String, partition: Int32, offset: Int64, errorCode: BrokerErrorCode)]
    }
    static let apiKey: Int16 = 9
    static let apiVersion: Int16 = 5
    static let name = "OffsetFetch"

    var groupID: String
    var topics: [(String, [Int32])]?

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        if let topics {
            w.array(topics) { w, t in
                w.string(t.0)
                w.array(t.1) { $0.int32($1) }
            }
        } else {
            w.nullArray()
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        var offsets: [(String, Int32, Int64, BrokerErrorCode)] = []
        for (topic, parts) in try r.array({ r in
            (try r.string(), try r.array { r -> (Int32, Int64, BrokerErrorCode) in
                let p = try r.int32()
                let o = try r.int64()
                _ = try r.int32()
                _ = try r.nullableString()
                return (p, o, try r.errorCode())
            })
        }) {
            for (p, o, c) in parts { offsets.append((topic, p, o, c)) }
        }
        let code = try r.errorCode()
        return Response(errorCode: code, offsets: offsets.map { (topic: $0.0, partition: $0.1, offset: $0.2, errorCode: $0.3) })
    }
}
