import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A real HTTP receiver of alert webhooks on a loopback port (`POST /hook`): records what
/// arrives, checks each signature with the shared secret, answers `status` (default 200); a
/// receiver that de-duplicates keeps `uniqueKeys`.
public final class WebhookReceiver: Sendable {
    public struct Delivery: Sendable {
        public var key: String
        public var body: [UInt8]
        public var signatureValid: Bool
    }

    public let secret: String
    private let state = Mutex<(deliveries: [Delivery], status: Int)>(([], 200))

    public init(secret: String) { self.secret = secret }

    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    /// Bodies by idempotency key: what a receiver that de-duplicates keeps.
    public var uniqueKeys: Set<String> { Set(deliveries.map(\.key)) }
    public func answer(_ status: Int) { state.withLock { $0.status = status } }

    /// Serves on `port` (0: any) until the returned task is cancelled; returns the bound port.
    public func start(port: Int = 0) async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let body = buffer.readBytes(length: buffer.readableBytes) ?? []
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let signature = request.headers[HTTPField.Name("X-CryptoViz-Signature")!] ?? ""
            let expected = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(self.secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            let status = self.state.withLock { state -> Int in
                state.deliveries.append(Delivery(key: key, body: body, signatureValid: signature == "sha256=" + expected))
                return state.status
            }
            return Response(status: .init(code: status))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) })
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        for await bound in ports { return (bound, task) }
        _ = try await task.value
        throw CancellationError()
    }
}
