import Foundation
import HummingbirdWebSocket
import NIOCore

/// One Coinbase Exchange feed connection: in-band `subscribe` (`product_ids` and `channels`,
/// names or `{name, product_ids}` objects) answered with `subscriptions` or an `error`, then
/// the hub's `ticker` and `heartbeat` messages; a client that has not subscribed within
/// `subscribeDeadline` is disconnected, as the venue does after 5 s
/// (docs.cdp.coinbase.com/exchange/websocket-feed, "Subscribe").
struct CoinbaseStreamSession: Sendable {
    let hub: StreamHub
    let subscribeDeadline: Duration

    func serve(channel: any Channel, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (id, frames) = hub.register(streams: [], venue: .coinbase)
        defer { hub.unregister(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                while let message = try await iterator.next() {
                    guard case .text(let text) = message else { continue }
                    answer(text, connection: id)
                }
            }
            group.addTask {
                for await frame in frames {
                    switch frame {
                    case .text(let text):
                        try await outbound.write(.text(text))
                    case .close:
                        try await outbound.close(.goingAway, reason: "simulated disconnect")
                        return
                    case .abort:
                        try await channel.close()
                        return
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: subscribeDeadline)
                if !hub.hasCoinbaseSubscription(id) {
                    try await outbound.close(.policyViolation, reason: "no subscribe within the deadline")
                    return
                }
                try await Task.sleep(for: .seconds(86_400 * 365))
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func answer(_ text: String, connection: Int) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "subscribe" else {
            hub.send(CoinbaseStreamShape.error(message: "Failed to subscribe", reason: "malformed or unsupported message"), to: connection)
            return
        }
        var products = object["product_ids"] as? [String] ?? []
        var ticker = false, heartbeat = false
        for entry in object["channels"] as? [Any] ?? [] {
            let name: String?
            if let plain = entry as? String {
                name = plain
            } else if let named = entry as? [String: Any] {
                name = named["name"] as? String
                products += named["product_ids"] as? [String] ?? []
            } else {
                name = nil
            }
            switch name {
            case "ticker": ticker = true
            case "heartbeat": heartbeat = true
            default:
                hub.send(CoinbaseStreamShape.error(message: "Failed to subscribe", reason: "\(name?.prefix(20) ?? "?") is not a valid channel"),
                         to: connection)
                return
            }
        }
        guard !products.isEmpty, ticker || heartbeat else {
            hub.send(CoinbaseStreamShape.error(message: "Failed to subscribe", reason: "No channels or products provided"), to: connection)
            return
        }
        hub.subscribeCoinbase(connection, products: products, ticker: ticker, heartbeat: heartbeat)
    }
}
