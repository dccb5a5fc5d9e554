import NIOCore
import NIOEmbedded
import Testing
@testable import Kafka

@Suite struct KafkaFrameDecoderTests {
    /// Three frames (the smallest legal one, a small one, one larger than a read) as the broker sends them.
    static let bodies: [[UInt8]] = [[1, 2, 3, 4], Array(0..<100).map(UInt8.init), (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }]
    static var stream: [UInt8] {
        bodies.flatMap { body in withUnsafeBytes(of: Int32(body.count).bigEndian, Array.init) + body }
    }

    @Test(arguments: [1, 2, 3, 5, 4096, 65_536, 1 << 20])
    func framesSurviveAnySplitIntoReads(readSize: Int) throws {
        let channel = EmbeddedChannel(handler: KafkaFrameDecoder(maximumFrameSize: 1 << 20))
        let bytes = Self.stream
        for start in stride(from: 0, to: bytes.count, by: readSize) {
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + readSize)]))
        }
        var frames: [[UInt8]] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) { frames.append(Array(frame.readableBytesView)) }
        #expect(frames == Self.bodies)
        _ = try channel.finish()
    }

    @Test(arguments: [Int32(-1), 0, 3, 1 << 21])
    func refusesImpossibleFrameSizes(size: Int32) throws {
        let channel = EmbeddedChannel(handler: KafkaFrameDecoder(maximumFrameSize: 1 << 20))
        var buffer = ByteBuffer()
        buffer.writeInteger(size)
        buffer.writeBytes([0, 0, 0, 0])
        #expect(throws: KafkaError.self) { try channel.writeInbound(buffer) }
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }
}
