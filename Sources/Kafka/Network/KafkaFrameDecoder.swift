import NIOCore

/// Splits the inbound byte stream into Kafka response frames: a big-endian int32 size, then
/// that many bytes (Kafka protocol guide, "Common Request and Response Structure").
///
/// A frame that arrived whole in one read is passed on as a slice of it (no copy); a frame
/// spread over reads is gathered once into a buffer of its exact size. (NIO's
/// `ByteToMessageHandler` grows one cumulation buffer instead, copying multi-megabyte fetch
/// responses about twice.) Reads stay at NIO's default size (up to 64 KiB): 1 MiB reads measured
/// slower, each a fresh large allocation. A negative size or one above `maximumFrameSize` closes the connection
/// rather than allocating.
final class KafkaFrameDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let maximumFrameSize: Int
    /// Up to three bytes of a size prefix split between reads.
    private var sizePrefix: [UInt8] = []
    /// The frame being gathered and its full size.
    private var partial: ByteBuffer?
    private var expected = 0
    private var failed = false

    init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        while input.readableBytes > 0 {
            if var body = partial {
                partial = nil  // the only reference, so appending does not copy the buffer
                var chunk = input.readSlice(length: min(expected - body.readableBytes, input.readableBytes))!
                body.writeBuffer(&chunk)
                if body.readableBytes == expected {
                    context.fireChannelRead(wrapInboundOut(body))
                } else {
                    partial = body
                }
                continue
            }
            let size: Int32
            if sizePrefix.isEmpty, let whole = input.readInteger(as: Int32.self) {
                size = whole
            } else {
                while sizePrefix.count < 4, let byte = input.readInteger(as: UInt8.self) { sizePrefix.append(byte) }
                guard sizePrefix.count == 4 else { return }
                size = sizePrefix.reduce(Int32(0)) { $0 << 8 | Int32($1) }
                sizePrefix.removeAll(keepingCapacity: true)
            }
            guard size >= 4, Int(size) <= maximumFrameSize else {
                failed = true
                context.fireErrorCaught(KafkaError.malformed("frame size \(size) outside 4...\(maximumFrameSize)"))
                return
            }
            if input.readableBytes >= Int(size) {
                context.fireChannelRead(wrapInboundOut(input.readSlice(length: Int(size))!))
            } else {
                partial = context.channel.allocator.buffer(capacity: Int(size))
                expected = Int(size)
            }
        }
    }
}
