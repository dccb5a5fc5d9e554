/// FindCoordinator v2 (key 10): the broker coordinating a consumer group (key type 0).
struct FindCoordinatorRequest: KafkaRequest {
    struct Response: Sendable {
        var errorCode: BrokerErrorCode
        var errorMessage: String?
        var nodeID: Int32
        var host: String
        var port: Int32
    }
    static let apiKey: Int16 = 10
    static let apiVersion: Int16 = 2
    static let name = "FindCoordinator"

    var key: String

    func encode(_ w: inout ProtocolWriter) {
        w.string(key)
        w.int8(0)
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        return Response(errorCode: try r.errorCode(), errorMessage: try r.nullableString(),
                        nodeID: try r.int32(), host: try r.string(), port: try r.int32())
    }
}

/// JoinGroup v5 (key 11): joins a group; the coordinator elects a leader who assigns partitions.
///
/// Since v4 a first join without a member id may answer MEMBER_ID_REQUIRED with an id to rejoin with (KIP-394).
struct JoinGroupRequest: KafkaRequest {
    struct Member: Sendable { var memberID: String; var metadata: [UInt8] }
    struct Response: Sendable {
        var errorCode: BrokerErrorCode
        var generationID: Int32
        var protocolName: String
        var leader: String
        var memberID: String
        var members: [Member]
    }
    static let apiKey: Int16 = 11
    static let apiVersion: Int16 = 5
    static let name = "JoinGroup"

    var groupID: String
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var memberID: String
    var protocolType: String
    var protocols: [(name: String, metadata: [UInt8])]

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        w.int32(sessionTimeoutMs)
        w.int32(rebalanceTimeoutMs)
        w.string(memberID)
        w.nullableString(nil)
        w.string(protocolType)
        w.array(protocols) { w, p in
            w.string(p.name)
            w.bytes(p.metadata)
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        let code = try r.errorCode()
        let generation = try r.int32()
        let proto = try r.nullableString() ?? ""
        let leader = try r.string()
        let member = try r.string()
        let members = try r.array { r -> Member in
            let id = try r.string()
            _ = try r.nullableString()
            return Member(memberID: id, metadata: try r.bytes())
        }
        return Response(errorCode: code, generationID: generation, protocolName: proto,
                        leader: leader, memberID: member, members: members)
    }
}

/// SyncGroup v3 (key 14): the leader sends assignments; every member receives its own.
struct SyncGroupRequest: KafkaRequest {
    struct Response: Sendable { var errorCode: BrokerErrorCode; var assignment: [UInt8] }
    static let apiKey: Int16 = 14
    static let apiVersion: Int16 = 3
    static let name = "SyncGroup"

    var groupID: String
    var generationID: Int32
    var memberID: String
    var assignments: [(memberID: String, assignment: [UInt8])]

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        w.int32(generationID)
        w.string(memberID)
        w.nullableString(nil)
        w.array(assignments) { w, a in
            w.string(a.memberID)
            w.bytes(a.assignment)
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        return Response(errorCode: try r.errorCode(), assignment: try r.bytes())
    }
}

/// Heartbeat v3 (key 12): keeps the membership alive; REBALANCE_IN_PROGRESS asks to rejoin.
struct HeartbeatRequest: KafkaRequest {
    typealias Response = BrokerErrorCode
    static let apiKey: Int16 = 12
    static let apiVersion: Int16 = 3
    static let name = "Heartbeat"

    var groupID: String
    var generationID: Int32
    var memberID: String

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        w.int32(generationID)
        w.string(memberID)
        w.nullableString(nil)
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        return try r.errorCode()
    }
}

/// LeaveGroup v3 (key 13): leaves at once so the group rebalances without waiting for the session timeout.
struct LeaveGroupRequest: KafkaRequest {
    typealias Response = BrokerErrorCode
    static let apiKey: Int16 = 13
    static let apiVersion: Int16 = 3
    static let name = "LeaveGroup"

    var groupID: String
    var memberID: String

    func encode(_ w: inout ProtocolWriter) {
        w.string(groupID)
        w.array([memberID]) { w, m in
            w.string(m)
            w.nullableString(nil)
        }
    }

    static func decode(_ r: inout ProtocolReader) throws -> Response {
        _ = try r.int32()
        return try r.errorCode()
    }
}
