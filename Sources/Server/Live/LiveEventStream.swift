import Alerts
import CryptoVizCore
import Foundation
import HTTPTypes
import Pipeline
import Hummingbird
import ServiceLifecycle

/// The body of `GET /api/v1/live`: Server-Sent Events (WHATWG HTML, "Server-sent events").
///
/// Each tick matching the filters is one `event: tick` with the tick's JSON as `data`; each
/// alert fired or resolved (whatever the filters) is one `event: alert` with the alert event's
/// JSON (as webhooks receive it); a comment line (`: heartbeat <ms>`) every `heartbeat` keeps idle connections open through
/// proxies. The response ends when the client disconnects, the feed finishes, or the server
/// begins a graceful shutdown (swift-service-lifecycle).
struct LiveEventStream: Sendable {
    var assets: Set<AssetID>?
    var sources: Set<ProviderID>?
    var heartbeat: Duration

    func matches(_ tick: Tick) -> Bool {
        (assets.map { $0.contains(tick.asset) } ?? true) && (sources.map { $0.contains(tick.source) } ?? true)
    }

    /// Formats one tick as an SSE event, its data written byte by byte (`TickWireFormat`): each
    /// stream formats every tick it sends, and Foundation's encoder was a fifth of a loaded
    /// server's CPU with 200 streams open. A tick JSON cannot hold (a non-finite price) is `{}`.
    static func event(_ tick: Tick) -> String {
        var out = JSONByteWriter(capacity: 320)
        out.raw("event: tick\ndata: ")
        do {
            try TickWireFormat.writeTick(tick, into: &out)
        } catch {
            return "event: tick\ndata: {}\n\n"
        }
        out.raw("\n\n")
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Formats one alert event; rare, so Foundation's encoder is fine here.
    static func event(_ alert: AlertEvent) -> String {
        guard let body = try? WebhookDelivery.body(for: alert) else { return "event: alert\ndata: {}\n\n" }
        return "event: alert\ndata: " + String(decoding: body, as: UTF8.self) + "\n\n"
    }

    func response(feed: AsyncStream<Tick>, alerts: AsyncStream<AlertEvent>? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let stream = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // Events formatted but not yet written: a client that stops reading holds at most this
            // many (about 200 KB), then loses the oldest; 200 stalled tabs must not cost a gigabyte.
            let (events, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(512))
            let forward = Task {
                for await tick in feed where stream.matches(tick) { continuation.yield(Self.event(tick)) }
                continuation.finish()
            }
            let announce = Task {
                guard let alerts else { return }
                for await alert in alerts { continuation.yield(Self.event(alert)) }
            }
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: stream.heartbeat)
                    if Task.isCancelled { break }
                    continuation.yield(": heartbeat \(currentUnixMillis())\n\n")
                }
            }
            defer {
                forward.cancel()
                announce.cancel()
                beat.cancel()
                continuation.finish()
            }
            // On graceful shutdown end the stream, or the server would wait on it forever.
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
                for await event in events {
                    try await writer.write(ByteBuffer(string: event))
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        })
    }
}
