import CryptoVizCore
import Logging
import NIOCore
import Synchronization
import WSClient

/// Keeps one planned WebSocket connection alive: watchdog, reconnect with exponential backoff
/// and full jitter, and rotation before the venue's connection lifetime.
///
/// Each connection attempt is a generation. A generation ends when the peer closes, the
/// connection fails, or no frame arrived for `settings.watchdog` (a silent stall: the socket
/// may stay open forever); the next generation starts after a jittered backoff that grows
/// until a connection delivers a frame. At `maxConnectionAge` the next generation is opened
/// *before* the old one is closed, and the old one is closed once the new one delivered its
/// first frame (or after `handoverTimeout`), so no window goes unobserved; the duplicates of
/// that overlap are dropped by `StreamCollector` by event identity.
final class StreamSupervisor: Sendable {
    /// Why a generation ended.
    enum Ending: Sendable, Equatable {
        case closedByPeer
        case stalled
        case failed(String)
        /// Replaced by its successor (rotation).
        case retired
        case cancelled
    }

    private enum Signal: Sendable {
        case opened(Int)
        case firstFrame(Int)
        case due(Int)
        case ended(Int, Ending)
    }

    /// A frame handler's own failure (the sink refused): ends the supervisor and is rethrown.
    private struct SinkFailure: Error {
        var underlying: any Error
    }

    /// The watchdog found no frame within the limit.
    private struct Stalled: Error {}
    /// The handover timeout after rotation passed.
    private struct Retired: Error {}

    let provider: ProviderID
    let plan: StreamConnectionPlan
    let settings: StreamSettings
    let health: ProviderHealthBoard
    let logger: Logger
    /// Shared by every connection of the venue: the per-IP connection-rate limit.
    let connectionLimiter: RateLimiter
    private let onFrame: @Sendable (WebSocketMessage) async throws -> Void
    private let sinkFailure = Mutex<SinkFailure?>(nil)

    init(provider: ProviderID, plan: StreamConnectionPlan, settings: StreamSettings, health: ProviderHealthBoard,
         connectionLimiter: RateLimiter, logger: Logger, onFrame: @escaping @Sendable (WebSocketMessage) async throws -> Void) {
        self.connectionLimiter = connectionLimiter
        self.provider = provider
        self.plan = plan
        self.settings = settings
        self.health = health
        self.logger = logger
        self.onFrame = onFrame
    }

    /// Runs until the task is cancelled (returns normally) or the frame handler throws (rethrown).
    func run() async throws {
        let (signals, continuation) = AsyncStream<Signal>.makeStream()
        var tasks: [Int: Task<Void, Never>] = [:]
        var current = 0
        var newest = 0
        var retiring = Set<Int>()
        var openGenerations = Set<Int>()
        var failedAttempts = 0
        let provider = self.provider

        func launch(after delay: Duration) {
            newest += 1
            current = newest
            let generation = current
            tasks[generation] = Task {
                if delay > .zero {
                    do { try await Task.sleep(for: delay) } catch {
                        continuation.yield(.ended(generation, .cancelled))
                        return
                    }
                }
                do {
                    let waited = try await self.connectionLimiter.acquire()
                    if waited > .milliseconds(5) { CollectorMetrics.rateLimitWait(provider, waited) }
                } catch {
                    continuation.yield(.ended(generation, .cancelled))
                    return
                }
                let ending = await self.connect(generation: generation, signals: continuation)
                continuation.yield(.ended(generation, ending))
            }
        }

        launch(after: .zero)
        await withTaskCancellationHandler {
            for await signal in signals {
                switch signal {
                case .opened(let generation):
                    openGenerations.insert(generation)
                    let open = await health.updateStream(provider) {
                        $0.openConnections += 1
                        $0.connectionsOpened += 1
                        $0.state = .open
                    }.openConnections
                    CollectorMetrics.streamOpenConnections(provider, open)
                    CollectorMetrics.streamConnection(provider, event: "opened")
                case .firstFrame(let generation):
                    guard generation == current else { continue }
                    failedAttempts = 0
                    // The successor is flowing: close the connections it replaces.
                    for old in retiring { tasks[old]?.cancel() }
                case .due(let generation):
                    guard generation == current else { continue }
                    retiring.insert(generation)
                    await health.updateStream(provider) { $0.rotations += 1 }
                    CollectorMetrics.streamConnection(provider, event: "rotation")
                    logger.info("rotating stream connection before its lifetime ends",
                                metadata: ["provider": "\(provider)", "connection": "\(plan.label)"])
                    launch(after: .zero)
                case .ended(let generation, let ending):
                    tasks[generation] = nil
                    if openGenerations.remove(generation) != nil {
                        let open = await health.updateStream(provider) { $0.openConnections = max(0, $0.openConnections - 1) }.openConnections
                        CollectorMetrics.streamOpenConnections(provider, open)
                    }
                    if sinkFailure.withLock({ $0 != nil }) {
                        continuation.finish()
                        continue
                    }
                    if retiring.remove(generation) != nil || generation != current { continue }
                    if ending == .cancelled { continue }
                    failedAttempts += 1
                    let delay = settings.reconnect.backoff(afterAttempt: failedAttempts)
                    let now = currentUnixMillis()
                    let detail: String = switch ending {
                    case .stalled: "no frame for \(settings.watchdog)"
                    case .closedByPeer: "closed by the venue"
                    case .failed(let message): message
                    case .retired, .cancelled: "replaced"
                    }
                    await health.updateStream(provider) {
                        $0.reconnects += 1
                        if ending == .stalled { $0.stalls += 1 }
                        $0.state = .backoff
                        $0.lastError = detail
                        $0.lastErrorMillis = now
                    }
                    CollectorMetrics.streamConnection(provider, event: ending == .stalled ? "stall" : "reconnect")
                    // 1st, 2nd, 4th, 8th … failure in a row: a dead venue does not flood the log.
                    if failedAttempts & (failedAttempts - 1) == 0 {
                        logger.warning("stream connection ended; reconnecting", metadata: [
                            "provider": "\(provider)", "connection": "\(plan.label)", "reason": "\(detail)",
                            "attempt": "\(failedAttempts)", "backoff_ms": "\(delay.wholeMilliseconds)",
                        ])
                    }
                    launch(after: delay)
                }
            }
        } onCancel: {
            continuation.finish()
        }
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
        await health.updateStream(provider) {
            $0.state = .stopped
            $0.openConnections = 0
        }
        if let failure = sinkFailure.withLock({ $0 }) { throw failure.underlying }
    }

    /// One generation: connect, send the plan's subscriptions, hand every message to
    /// `onFrame`, until the peer closes, the watchdog fires, or the task is cancelled.
    private func connect(generation: Int, signals: AsyncStream<Signal>.Continuation) async -> Ending {
        let clock = ContinuousClock()
        let lastFrame = Heartbeat(clock.now)
        let settings = self.settings
        let opened = clock.now
        do {
            return try await withThrowingTaskGroup(of: Ending.self) { group in
                group.addTask {
                    _ = try await self.makeClient(generation: generation, lastFrame: lastFrame, signals: signals).run()
                    return .closedByPeer
                }
                group.addTask {
                    // Checks four times per watchdog period, so a stall is seen within 1.25 × N.
                    let step = min(settings.watchdog / 4, .seconds(1))
                    var dueSent = false
                    while true {
                        try await Task.sleep(for: step)
                        let now = clock.now
                        if now - lastFrame.last > settings.watchdog { throw Stalled() }
                        let age = now - opened
                        if !dueSent, age >= settings.maxConnectionAge {
                            dueSent = true
                            signals.yield(.due(generation))
                        }
                        if age >= settings.maxConnectionAge + settings.handoverTimeout { throw Retired() }
                    }
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .cancelled
            }
        } catch is Stalled {
            return .stalled
        } catch is Retired {
            return .retired
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(String(describing: error).prefix(200).description)
        }
    }

    /// The WebSocket client of one generation: sends the plan's subscriptions, then hands every
    /// message to `onFrame`, stamping `lastFrame` for the watchdog. Pings are answered by WSCore.
    private func makeClient(generation: Int, lastFrame: Heartbeat, signals: AsyncStream<Signal>.Continuation) -> WebSocketClient {
        let settings = self.settings
        let plan = self.plan
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: settings.maxMessageBytes, closeTimeout: settings.closeTimeout)
        return WebSocketClient(url: plan.url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            lastFrame.beat()
            signals.yield(.opened(generation))
            for (index, message) in plan.subscribeMessages.enumerated() {
                // Venues count client messages per second (Binance: 5); subscriptions are paced under it.
                if index > 0 { try await Task.sleep(for: .seconds(1) / max(1, settings.maxOutgoingMessagesPerSecond)) }
                try await outbound.write(.text(message))
            }
            var iterator = inbound.messages(maxSize: settings.maxMessageBytes).makeAsyncIterator()
            var first = true
            while let message = try await iterator.next() {
                lastFrame.beat()
                if first {
                    first = false
                    signals.yield(.firstFrame(generation))
                }
                do {
                    try await self.onFrame(message)
                } catch {
                    self.sinkFailure.withLock { $0 = SinkFailure(underlying: error) }
                    throw error
                }
            }
        }
    }
}

/// When a connection last received a frame, shared by its reader and its watchdog.
private final class Heartbeat: Sendable {
    private let instant: Mutex<ContinuousClock.Instant>

    init(_ start: ContinuousClock.Instant) {
        instant = Mutex(start)
    }

    func beat() { instant.withLock { $0 = .now } }

    var last: ContinuousClock.Instant { instant.withLock { $0 } }
}
