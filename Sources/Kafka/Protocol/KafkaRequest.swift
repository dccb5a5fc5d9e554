import NIOCore

/// One request/response pair of the Kafka protocol at the one version this client speaks.
///
/// Versions are chosen so that Apache Kafka 3.x and 4.x (KIP-896 removed old versions),
/// Redpanda and tansu all accept them; `ApiVersions` negotiation checks each against the broker.
protocol KafkaRequest: Sendable {
    associatedtype Response: Sendable
    static var apiKey: Int16 { get }
    static var apiVersion: Int16 { get }
    /// Whether the body and request header use the flexible (tagged-field) encoding.
    static var flexible: Bool { get }
    /// Whether the response header carries tagged fields (false for ApiVersions, always).
    static var flexibleResponseHeader: Bool { get }
    static var name: String { get }
    func encode(_ writer: inout ProtocolWriter)
    static func decode(_ reader: inout ProtocolReader) throws -> Response
}

extension KafkaRequest {
    static var flexible: Bool { false }
    static var flexibleResponseHeader: Bool { flexible }

    /// The full frame: size, request header v1/v2 (Kafka protocol guide, "Request Header"), body,
    /// as segments to write in order (record batches are not copied into it). The correlation
    /// id at byte 8 of the first segment is filled in by the connection.
    func frame(clientID: String, allocator: ByteBufferAllocator) -> [ByteBuffer] {
        var w = ProtocolWriter(buffer: allocator.buffer(capacity: 256), flexible: false)
        w.int32(0)
        w.int16(Self.apiKey)
        w.int16(Self.apiVersion)
        w.int32(0)
        w.nullableString(clientID)  // client_id stays a classic nullable string even in header v2
        var body = ProtocolWriter(continuing: w, flexible: Self.flexible)
        body.taggedFields()
        encode(&body)
        var segments = body.allSegments
        let size = segments.reduce(0) { $0 + $1.readableBytes } - 4
        segments[0].setInteger(Int32(size), at: segments[0].readerIndex)
        return segments
    }
}
