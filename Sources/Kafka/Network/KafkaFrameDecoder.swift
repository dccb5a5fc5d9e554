import NIOCore

/// Splits the inbound byte stream into Kafka response frames: a big-endian int32 size, then
/// that many bytes (Kafka protocol guide, "Common Request and Response Structure").
///
/// A negative size or one above `maximumFrameSize` closes the connection rather than allocating.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maximumFrameSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 4, Int(size) <= maximumFrameSize else {
            throw KafkaError.malformed("frame size \(size) outside 4...\(maximumFrameSize)")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(size))!
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}
