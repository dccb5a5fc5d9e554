import Logging
import NIOCore
import NIOPosix

/// One TCP connection to one broker, multiplexing requests by correlation id.
///
/// Every request has a deadline: on timeout its caller gets `.timeout` and the connection is
/// closed, because the stream position of a late response is unknown (as the Java client does).
final class BrokerConnection: Sendable {
    let channel: Channel
    let address: String
    let clientID: String
    /// Version ranges the broker announced in ApiVersions.
    let apiVersions: [Int16: ClosedRange<Int16>]

    private init(channel: Channel, address: String, clientID: String, apiVersions: [Int16: ClosedRange<Int16>]) {
        self.channel = channel
        self.address = address
        self.clientID = clientID
        self.apiVersions = apiVersions
    }

    var isActive: Bool { channel.isActive }

    /// Connects and negotiates versions with ApiVersions v3, falling back to v0.
    static func connect(host: String, port: Int, clientID: String, timeout: Duration,
                        maximumFrameSize: Int, group: EventLoopGroup) async throws -> BrokerConnection {
        let address = "\(host):\(port)"
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(timeout.milliseconds)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize))
                        try channel.pipeline.syncOperations.addHandler(CorrelationHandler(address: address))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw KafkaError(.connection, "cannot connect to \(address): \(error)")
        }
        let bare = BrokerConnection(channel: channel, address: address, clientID: clientID, apiVersions: [:])
        do {
            var versions = try await bare.send(APIVersionsRequest(), timeout: timeout)
            if versions.errorCode == .unsupportedVersion {
                versions = try await bare.send(APIVersionsV0Request(), timeout: timeout)
            }
            guard versions.errorCode == .none else { throw KafkaError.broker(versions.errorCode, "ApiVersions to \(address)") }
            return BrokerConnection(channel: channel, address: address, clientID: clientID, apiVersions: versions.ranges)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Sends `request` and decodes its response, failing after `timeout`.
    func send<R: KafkaRequest>(_ request: R, timeout: Duration) async throws -> R.Response {
        try await write(request, timeout: timeout).response()
    }

    /// A request already written to the connection, whose response is awaited separately.
    struct Written<R: KafkaRequest>: Sendable {
        let promise: EventLoopPromise<ByteBuffer>
        let address: String

        /// Waits for the response and decodes it.
        func response() async throws -> R.Response {
            // A cancelled caller stops waiting at once; a late response finds its (already failed)
            // promise still registered and is dropped without disturbing the connection.
            let body = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
            var reader = ProtocolReader(buffer: body, flexible: R.flexibleResponseHeader, context: "\(R.name) from \(address)")
            try reader.skipTaggedFields()
            reader = ProtocolReader(buffer: reader.buffer, flexible: R.flexible, context: reader.context)
            return try R.decode(&reader)
        }
    }

    /// Writes `request` now, without suspending: requests written one after another reach the
    /// broker in that order. An idempotent producer depends on it: a batch that overtakes the
    /// one before it on the wire is refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
    func write<R: KafkaRequest>(_ request: R, timeout: Duration) throws -> Written<R> {
        if !apiVersions.isEmpty {
            guard let range = apiVersions[R.apiKey], range.contains(R.apiVersion) else {
                let offered = apiVersions[R.apiKey].map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none"
                throw KafkaError(.unsupportedVersion,
                                 "broker \(address) does not support \(R.name) v\(R.apiVersion) (it offers \(offered))")
            }
        }
        let frame = request.frame(clientID: clientID, allocator: channel.allocator)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let channel = self.channel
        let address = self.address
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout.milliseconds))) {
            promise.fail(KafkaError(.timeout, "\(R.name) to \(address) timed out after \(timeout)"))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        channel.writeAndFlush(PendingRequest(frame: frame, promise: promise)).whenFailure { error in
            promise.fail(KafkaError(.connection, "\(R.name) to \(address) not sent: \(error)"))
        }
        return Written(promise: promise, address: address)
    }

    func close() async {
        try? await channel.close()
    }
}

extension Duration {
    /// Whole milliseconds, saturating; for protocol fields and NIO timers.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return seconds < 0 ? Int64.min : Int64.max }
        return ms.partialValue + attoseconds / 1_000_000_000_000_000
    }
}
