import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Kafka

/// A hostile peer on a real socket: it answers every request with canned bytes (or nothing),
/// to check that malformed or missing responses become clear errors and never hang.
final class CannedBrokerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    /// Given the request's correlation id, the bytes to send back (nil: stay silent).
    let reply: @Sendable (Int32) -> [UInt8]?

    init(reply: @escaping @Sendable (Int32) -> [UInt8]?) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        guard let correlation = request.getInteger(at: request.readerIndex + 8, as: Int32.self),
              let bytes = reply(correlation) else { return }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
    }
}

@Suite struct BrokerConnectionTests {
    func withCannedBroker(_ reply: @escaping @Sendable (Int32) -> [UInt8]?, _ body: (Int) async throws -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CannedBrokerHandler(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress!.port!
        do {
            try await body(port)
        } catch {
            try? await server.close()
            throw error
        }
        try await server.close()
    }

    func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    @Test func aSilentBrokerTimesOutInsteadOfHanging() async throws {
        try await withCannedBroker({ _ in nil }) { port in
            await #expect {
                _ = try await BrokerConnection.connect(host: "127.0.0.1", port: port, clientID: "t", timeout: .milliseconds(300),
                                                       maximumFrameSize: 1 << 20, group: MultiThreadedEventLoopGroup.singleton)
            } throws: { ($0 as? KafkaError)?.code == .timeout }
        }
    }

    @Test func aTruncatedResponseIsAMalformedResponseError() async throws {
        // Correlation id, then an ApiVersions body cut off after the error code.
        try await withCannedBroker({ id in self.be32(6) + self.be32(id) + [0, 0] }) { port in
            await #expect {
                _ = try await BrokerConnection.connect(host: "127.0.0.1", port: port, clientID: "t", timeout: .seconds(2),
                                                       maximumFrameSize: 1 << 20, group: MultiThreadedEventLoopGroup.singleton)
            } throws: { ($0 as? KafkaError)?.code == .malformedResponse }
        }
    }

    @Test func anOversizedFrameIsRefused() async throws {
        try await withCannedBroker({ id in self.be32(Int32.max) + self.be32(id) }) { port in
            await #expect {
                _ = try await BrokerConnection.connect(host: "127.0.0.1", port: port, clientID: "t", timeout: .seconds(2),
                                                       maximumFrameSize: 1 << 20, group: MultiThreadedEventLoopGroup.singleton)
            } throws: { ($0 as? KafkaError)?.code == .malformedResponse }
        }
    }

    @Test func anUnknownCorrelationIDClosesTheConnection() async throws {
        try await withCannedBroker({ id in self.be32(6) + self.be32(id &+ 1000) + [0, 0] }) { port in
            await #expect {
                _ = try await BrokerConnection.connect(host: "127.0.0.1", port: port, clientID: "t", timeout: .seconds(2),
                                                       maximumFrameSize: 1 << 20, group: MultiThreadedEventLoopGroup.singleton)
            } throws: { ($0 as? KafkaError)?.code == .malformedResponse }
        }
    }

    @Test func versionsAreNegotiatedWithTheRealBroker() async throws {
        let (host, port) = try KafkaClient.split(try KafkaTestContext.sharedBootstrap())
        let c = try await BrokerConnection.connect(host: host, port: port, clientID: "t", timeout: .seconds(5),
                                                   maximumFrameSize: 1 << 20, group: MultiThreadedEventLoopGroup.singleton)
        defer { Task { await c.close() } }
        #expect(c.apiVersions[ProduceRequest.apiKey]?.contains(ProduceRequest.apiVersion) == true)
        #expect(c.apiVersions[FetchRequest.apiKey]?.contains(FetchRequest.apiVersion) == true)
        let metadata = try await c.send(MetadataRequest(topics: [], allowAutoTopicCreation: false), timeout: .seconds(5))
        #expect(!metadata.brokers.isEmpty)
    }
}
