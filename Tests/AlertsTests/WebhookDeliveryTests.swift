import AsyncHTTPClient
import CryptoVizCore
import Foundation
import Logging
import Testing
import TestSupport
@testable import Alerts

@Suite struct WebhookDeliveryTests {
    private let secret = "test-secret-0123456789"
    private let logger = Logger(label: "cryptoviz.alerts.test")
    private let fast = WebhookDelivery.Configuration(baseDelay: .milliseconds(50), maxDelay: .milliseconds(300))

    private func event(_ n: Int) -> AlertEvent {
        AlertEvent(
            id: "btc-\(n):fired", alertID: "btc-\(n)", kind: .fired, ruleID: "btc", ruleName: "BTC over 100", type: "price_above",
            severity: .warning, asset: "bitcoin", source: .binance, value: 101, threshold: 100, firedAtMillis: t0, atMillis: t0)
    }

    private func delivery(_ directory: URL, port: Int, attempts: Int = 100) -> WebhookDelivery {
        WebhookDelivery(
            webhooks: [Webhook(id: "test", url: "http://127.0.0.1:\(port)/hook", secret: secret, timeoutSeconds: 5, maxAttempts: attempts)],
            directory: directory, configuration: fast, client: HTTPClient.shared, logger: logger)
    }

    @Test func postsSignedBodiesWithTheAlertIDAsIdempotencyKey() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver(secret: secret)
        let (port, server) = try await receiver.start()
        defer { server.cancel() }
        let sender = delivery(directory, port: port)
        let running = Task { await sender.run() }
        defer { running.cancel() }
        try sender.enqueue([event(1), event(2)])
        #expect(await eventually { receiver.uniqueKeys == ["btc-1:fired", "btc-2:fired"] && sender.pendingCount == 0 })
        #expect(receiver.deliveries.allSatisfy { $0.signatureValid })
        let first = try #require(receiver.deliveries.first { $0.key == "btc-1:fired" })
        #expect(first.body == Array(try WebhookDelivery.body(for: event(1))))
        let json = try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any]
        #expect(json?["id"] as? String == "btc-1:fired" && json?["rule_id"] as? String == "btc" && json?["asset"] as? String == "bitcoin")
    }

    @Test func aResolutionIsSentOnlyAfterItsFiring() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver(secret: secret)
        receiver.answer(503)
        let (port, server) = try await receiver.start()
        defer { server.cancel() }
        let sender = delivery(directory, port: port)
        let running = Task { await sender.run() }
        defer { running.cancel() }
        var resolved = event(1)
        resolved.id = "btc-1:resolved"
        resolved.kind = .resolved
        try sender.enqueue([event(1), resolved])
        // The firing fails for a while (several retries); the resolution must not overtake it.
        #expect(await eventually { receiver.deliveries.filter { $0.key == "btc-1:fired" }.count >= 3 })
        receiver.answer(200)
        #expect(await eventually { sender.pendingCount == 0 })
        let keys = receiver.deliveries.map(\.key)
        let lastFired = try #require(keys.lastIndex(of: "btc-1:fired"))
        let firstResolved = try #require(keys.firstIndex(of: "btc-1:resolved"))
        #expect(firstResolved > lastFired, "resolved only after fired was accepted: \(keys)")
    }

    @Test func receiverDownThenUpLosesNothing() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver(secret: secret)
        // Learn a free port, then close it: deliveries meet a refused connection.
        let (port, probe) = try await receiver.start()
        probe.cancel()
        _ = await probe.result
        let sender = delivery(directory, port: port)
        let running = Task { await sender.run() }
        defer { running.cancel() }
        try sender.enqueue((1...5).map(event))
        try await Task.sleep(for: .milliseconds(500))
        #expect(sender.pendingCount == 5, "nothing is dropped while the receiver is down")
        let (_, server) = try await receiver.start(port: port)
        defer { server.cancel() }
        #expect(await eventually { receiver.uniqueKeys.count == 5 && sender.pendingCount == 0 })
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("dead-letters.jsonl").path))
    }

    @Test func pendingDeliveriesSurviveARestart() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver(secret: secret)
        let (port, probe) = try await receiver.start()
        probe.cancel()
        _ = await probe.result
        let before = delivery(directory, port: port)
        let stopped = Task { await before.run() }
        try before.enqueue([event(7)])
        try await Task.sleep(for: .milliseconds(300))
        stopped.cancel()  // the process ends with the delivery still retrying
        _ = await stopped.result
        #expect(before.pendingCount == 1)

        let (_, server) = try await receiver.start(port: port)
        defer { server.cancel() }
        let after = delivery(directory, port: port)
        let running = Task { await after.run() }
        defer { running.cancel() }
        #expect(await eventually { receiver.uniqueKeys == ["btc-7:fired"] && after.pendingCount == 0 })
        #expect(receiver.deliveries.allSatisfy { $0.signatureValid })
    }

    @Test func rejectedOrExhaustedDeliveriesGoToTheDeadLetterFile() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver(secret: secret)
        receiver.answer(400)
        let (port, server) = try await receiver.start()
        defer { server.cancel() }
        let sender = delivery(directory, port: port, attempts: 3)
        let running = Task { await sender.run() }
        defer { running.cancel() }
        try sender.enqueue([event(1)])
        let deadLetters = directory.appendingPathComponent("dead-letters.jsonl")
        #expect(await eventually { sender.pendingCount == 0 && FileManager.default.fileExists(atPath: deadLetters.path) })
        #expect(receiver.deliveries.count == 1, "a 400 is not retried")
        receiver.answer(503)
        try sender.enqueue([event(2)])
        #expect(await eventually { sender.pendingCount == 0 && receiver.deliveries.count == 4 })
        let lines = try String(contentsOf: deadLetters, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].contains("btc-2:fired") && lines[1].contains("HTTP 503"))
    }
}
