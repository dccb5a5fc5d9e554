import NIOCore

/// Stamps each outgoing request with a correlation id and completes its promise with the
/// response carrying the same id (Kafka protocol guide: responses arrive in request order per
/// connection, but matching by id also catches a broker that breaks that rule).
///
/// Runs on the channel's event loop only. When the channel closes or errors, every pending
/// request fails, so no caller waits forever.
final class CorrelationHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = ByteBuffer

    private var nextID: Int32 = 1
    private var pending: [Int32: EventLoopPromise<ByteBuffer>] = [:]
    private let address: String

    init(address: String) { self.address = address }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var request = unwrapOutboundIn(data)
        let id = nextID
        nextID = nextID == Int32.max ? 1 : nextID + 1
        request.frame[0].setInteger(id, at: request.frame[0].readerIndex + 8)
        pending[id] = request.promise
        // Segments go out as one gathered write at the next flush; only the last carries the promise.
        for segment in request.frame.dropLast() { context.write(wrapOutboundOut(segment), promise: nil) }
        context.write(wrapOutboundOut(request.frame[request.frame.count - 1]), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let id = frame.readInteger(as: Int32.self), let promise = pending.removeValue(forKey: id) else {
            failAll(KafkaError.malformed("response from \(address) with an unknown correlation id"))
            context.close(promise: nil)
            return
        }
        promise.succeed(frame)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaError(.connection, "connection to \(address) closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error is KafkaError ? error : KafkaError(.connection, "connection to \(address) failed: \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: Error) {
        let waiting = pending
        pending.removeAll()
        for (_, promise) in waiting { promise.fail(error) }
    }
}
