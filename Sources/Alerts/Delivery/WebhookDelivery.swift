import AsyncHTTPClient
import CryptoVizCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Delivers alert events to webhooks at least once, across restarts.
///
/// `enqueue` writes each (event, webhook) to the outbox directory before anything is sent;
/// `run` sends them: `POST` of the event's JSON with `Content-Type: application/json`,
/// `Idempotency-Key: <event id>` and `X-CryptoViz-Signature`, each attempt bounded by the
/// webhook's timeout, retried with exponential backoff and full jitter (AWS Architecture Blog,
/// "Exponential Backoff And Jitter") on connection errors, timeouts, 408, 429 and 5xx. A 2xx
/// removes the outbox file; any other 4xx, or the last attempt failing, moves the delivery to
/// `dead-letters.jsonl`. Files left in the outbox by a crash or a stop are sent by the next
/// `run`; receivers de-duplicate by the idempotency key. Deliveries run concurrently, except
/// that an alert's `resolved` is sent only once its `fired` has left the outbox (delivered or
/// dead-lettered), per webhook.
public final class WebhookDelivery: Sendable {
    /// Backoff bounds; defaults suit real receivers, tests shorten them.
    public struct Configuration: Sendable {
        /// The first retry waits up to this long; each further one doubles it.
        public var baseDelay: Duration = .milliseconds(500)
        /// No retry waits longer than this.
        public var maxDelay: Duration = .seconds(60)

        public init(baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }
    }

    public let webhooks: [Webhook]
    let outbox: URL
    let deadLetterFile: URL
    let configuration: Configuration
    let client: HTTPClient
    let logger: Logger
    private let jobs: AsyncStream<PendingDelivery>
    private let continuation: AsyncStream<PendingDelivery>.Continuation
    /// Serializes appends to the dead-letter file between concurrent deliveries.
    private let deadLetterLock = Mutex(())

    /// - Parameter directory: holds `outbox/` and `dead-letters.jsonl`.
    public init(webhooks: [Webhook], directory: URL, configuration: Configuration = Configuration(),
                client: HTTPClient, logger: Logger) {
        self.webhooks = webhooks
        self.outbox = directory.appendingPathComponent("outbox")
        self.deadLetterFile = directory.appendingPathComponent("dead-letters.jsonl")
        self.configuration = configuration
        self.client = client
        self.logger = logger
        (jobs, continuation) = AsyncStream<PendingDelivery>.makeStream()
    }

    /// The exact body POSTed for `event`: its JSON with sorted keys.
    public static func body(for event: AlertEvent) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(event)
    }

    /// Persists one delivery per (event, webhook) in the outbox, then hands them to `run`.
    /// Returns when every file is on disk, so the caller may then record the events as done.
    public func enqueue(_ events: [AlertEvent]) throws(AlertsError) {
        guard !webhooks.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var written: [PendingDelivery] = []
        for event in events {
            guard let body = try? Self.body(for: event) else { continue }
            for hook in webhooks {
                let pending = PendingDelivery(
                    webhookID: hook.id, url: hook.url, key: event.id, body: String(decoding: body, as: UTF8.self),
                    signature: WebhookSignature.header(body: body, secret: hook.secret),
                    timeoutSeconds: hook.timeoutSeconds, maxAttempts: hook.maxAttempts, createdMillis: currentUnixMillis())
                let data: Data
                do { data = try encoder.encode(pending) } catch { throw AlertsError(.storage, "cannot encode a delivery: \(error)") }
                try AtomicFile.write(data, to: outbox.appendingPathComponent(pending.fileName))
                written.append(pending)
            }
        }
        for pending in written { continuation.yield(pending) }
    }

    /// Deliveries waiting in the outbox now (for tests and stats).
    public var pendingCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.count
    }

    /// Sends what the outbox held at start, then every delivery enqueued, until cancelled.
    /// Deliveries still retrying when cancelled stay in the outbox for the next run.
    public func run() async {
        let waiting = loadOutbox()
        if !waiting.isEmpty { logger.info("resending webhook deliveries left pending", metadata: ["count": "\(waiting.count)"]) }
        await withDiscardingTaskGroup { group in
            for pending in waiting { group.addTask { await self.deliver(pending) } }
            for await pending in jobs {
                group.addTask { await self.deliver(pending) }
            }
            group.cancelAll()
        }
    }

    /// Stops accepting work: `run` returns once its deliveries end or are cancelled.
    public func finish() { continuation.finish() }

    private func loadOutbox() -> [PendingDelivery] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            let url = outbox.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url), let pending = try? JSONDecoder().decode(PendingDelivery.self, from: data) else {
                logger.error("unreadable webhook delivery in the outbox, left in place", metadata: ["file": "\(url.path)"])
                return nil
            }
            return pending
        }
    }

    enum Outcome: Equatable { case delivered, retry(String), reject(String) }

    private func deliver(_ pending: PendingDelivery) async {
        // A resolution waits while its firing is still in the outbox (being retried, or left by
        // a crash and resent by this run), so a receiver sees `fired` before `resolved`.
        if let firing = pending.firingFileName {
            let path = outbox.appendingPathComponent(firing).path
            while FileManager.default.fileExists(atPath: path) {
                do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
            }
        }
        var lastReason = ""
        for attempt in 0..<max(pending.maxAttempts, 1) {
            if attempt > 0 {
                do { try await Task.sleep(for: backoff(attempt: attempt)) } catch { return }
            }
            if Task.isCancelled { return }
            switch await send(pending) {
            case .delivered:
                AlertMetrics.delivery(outcome: "delivered")
                try? FileManager.default.removeItem(at: outbox.appendingPathComponent(pending.fileName))
                return
            case .reject(let reason):
                deadLetter(pending, reason: reason, attempts: attempt + 1)
                return
            case .retry(let reason):
                AlertMetrics.delivery(outcome: "retried")
                lastReason = reason
                logger.debug("webhook attempt failed", metadata: ["webhook": "\(pending.webhookID)", "key": "\(pending.key)", "attempt": "\(attempt + 1)", "reason": "\(reason)"])
            }
        }
        if Task.isCancelled { return }
        deadLetter(pending, reason: lastReason, attempts: pending.maxAttempts)
    }

    /// Full jitter: uniform in [0, min(max, base · 2^(attempt-1))].
    func backoff(attempt: Int) -> Duration {
        let base = Double(configuration.baseDelay.components.seconds) + Double(configuration.baseDelay.components.attoseconds) / 1e18
        let cap = Double(configuration.maxDelay.components.seconds) + Double(configuration.maxDelay.components.attoseconds) / 1e18
        let ceiling = min(cap, base * pow(2, Double(min(attempt - 1, 30))))
        return .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
    }

    private func send(_ pending: PendingDelivery) async -> Outcome {
        var request = HTTPClientRequest(url: pending.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: pending.key)
        request.headers.add(name: WebhookSignature.headerName, value: pending.signature)
        request.headers.add(name: "User-Agent", value: "cryptoviz-alerts")
        request.body = .bytes(ByteBuffer(string: pending.body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(pending.timeoutSeconds * 1000)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return .delivered }
            if code == 408 || code == 429 || code >= 500 { return .retry("HTTP \(code)") }
            return .reject("HTTP \(code)")
        } catch {
            return .retry("\(error)")
        }
    }

    private func deadLetter(_ pending: PendingDelivery, reason: String, attempts: Int) {
        struct Line: Encodable {
            var delivery: PendingDelivery
            var reason: String
            var attempts: Int
            var failedAtMillis: Int64
            enum CodingKeys: String, CodingKey { case delivery, reason, attempts, failedAtMillis = "failed_at_ms" }
        }
        AlertMetrics.delivery(outcome: "dead_lettered")
        logger.error("webhook delivery failed for good; written to the dead-letter file",
                     metadata: ["webhook": "\(pending.webhookID)", "key": "\(pending.key)", "reason": "\(reason)", "attempts": "\(attempts)"])
        deadLetterLock.withLock { _ in
            do {
                var line = try JSONEncoder().encode(Line(delivery: pending, reason: reason, attempts: attempts, failedAtMillis: currentUnixMillis()))
                line.append(0x0A)
                try AtomicFile.append(line, to: deadLetterFile)
                try? FileManager.default.removeItem(at: outbox.appendingPathComponent(pending.fileName))
            } catch {
                logger.error("cannot write the dead-letter file; the delivery stays in the outbox", metadata: ["error": "\(error)"])
            }
        }
    }
}
