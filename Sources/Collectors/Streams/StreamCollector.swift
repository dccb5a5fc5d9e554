import CryptoVizCore
import Logging
import Synchronization
import WSClient

/// Runs one venue's streams: a `StreamSupervisor` per planned connection, every frame parsed,
/// duplicates dropped by event identity, unusable frames dead-lettered, health kept current.
///
/// A bad frame never ends a connection: it is counted, dead-lettered and skipped. Only an
/// error thrown by the caller's `events` handler ends `run` (and is rethrown).
public final class StreamCollector: Sendable {
    public let provider: any MarketStreamProvider
    public let settings: StreamSettings
    public let health: ProviderHealthBoard
    public let deadLetters: StreamDeadLetters
    /// Where holes in trade ids are filled from, if the venue has a REST source for them.
    public let repair: (any TradeGapRepair)?
    private let deduplicator: Mutex<StreamEventDeduplicator>
    /// Highest trade id delivered per pair: a jump past it is a hole.
    private let lastTradeID = Mutex<[String: Int64]>([:])
    /// Highest message sequence number seen per series (Coinbase: per product).
    private let lastSequence = Mutex<[String: Int64]>([:])
    private let gapLog = Mutex<[TradeGap]>([])
    private let logger: Logger

    public init(provider: any MarketStreamProvider, settings: StreamSettings, health: ProviderHealthBoard,
                deadLetters: StreamDeadLetters = StreamDeadLetters(), repair: (any TradeGapRepair)? = nil, logger: Logger) {
        self.provider = provider
        self.settings = settings
        self.health = health
        self.deadLetters = deadLetters
        self.repair = repair
        self.deduplicator = Mutex(StreamEventDeduplicator(window: settings.dedupeWindow))
        self.logger = logger
    }

    /// Streams until cancelled (returns normally); `events` receives each frame's new events.
    public func run(subscription: StreamSubscription,
                    events: @escaping @Sendable ([StreamEvent]) async throws -> Void) async throws {
        let plans = provider.connections(for: subscription)
        guard !plans.isEmpty else { return }
        logger.info("starting streams", metadata: [
            "provider": "\(provider.id)", "connections": "\(plans.count)",
            "streams": "\(plans.reduce(0) { $0 + $1.streams.count })",
        ])
        do {
            let connectionLimiter = RateLimiter(limit: settings.connectionLimit, slack: .zero)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for plan in plans {
                    let supervisor = StreamSupervisor(
                        provider: provider.id, plan: plan, settings: settings, health: health,
                        connectionLimiter: connectionLimiter, logger: logger
                    ) { [self] message in
                        try await self.handle(message, connection: plan.label, events: events)
                    }
                    group.addTask { try await supervisor.run() }
                }
                try await group.waitForAll()
            }
        } catch is CancellationError {
            return
        }
    }

    /// Parses, deduplicates and accounts for one message, then hands the new events on.
    func handle(_ message: WebSocketMessage, connection: String,
                events: @Sendable ([StreamEvent]) async throws -> Void) async throws {
        let id = provider.id
        let now = currentUnixMillis()
        let bytes: [UInt8]
        switch message {
        case .text(let text): bytes = Array(text.utf8)
        case .binary(let buffer):
            bytes = Array(buffer.readableBytesView)
            await reject(StreamFrameError(.unsupportedFrame, "binary frame of \(bytes.count) bytes"), bytes, connection, now)
            return
        }
        let frame: StreamFrame
        do {
            frame = try provider.parse(bytes)
        } catch {
            await reject(error, bytes, connection, now)
            return
        }
        // Sequence numbers (Coinbase, per product): one not newer than the last seen is a repeat
        // (an overlapping connection) or out of order, and its events are dropped; a jump is
        // messages this client never got. A heartbeat reports the series' current number
        // without holding it, so it shows a tail of lost messages no later ticker would.
        var stale = false
        var missed: [Int64] = []
        if !frame.sequences.isEmpty {
            lastSequence.withLock { last in
                for mark in frame.sequences {
                    let previous = last[mark.series]
                    if let previous {
                        if mark.consumes, mark.sequence <= previous {
                            stale = true
                            continue
                        }
                        let expected = mark.consumes ? previous + 1 : previous
                        if mark.sequence > expected { missed.append(mark.sequence - expected) }
                    }
                    last[mark.series] = max(previous ?? .min, mark.sequence)
                }
            }
        }
        var fresh: [StreamEvent] = []
        var duplicates = 0
        var counts = (ticks: 0, trades: 0, candles: 0)
        deduplicator.withLock { dedupe in
            for event in frame.events {
                if stale {
                    if case .quotes(let quotes) = event { duplicates += quotes.count } else { duplicates += 1 }
                    continue
                }
                switch event {
                case .quotes(let quotes):
                    let kept = quotes.filter { dedupe.admitLatest(series: "q|\($0.symbol)", eventTime: $0.sourceTimeMillis) }
                    duplicates += quotes.count - kept.count
                    if !kept.isEmpty {
                        fresh.append(.quotes(kept))
                        counts.ticks += kept.count
                    }
                case .trade(let trade):
                    if dedupe.admitTrade(pair: trade.pair, id: trade.tradeID) {
                        fresh.append(event)
                        counts.trades += 1
                    } else {
                        duplicates += 1
                    }
                case .candle(let candle):
                    if dedupe.admitLatest(series: "k|\(candle.pair)|\(candle.interval)", eventTime: candle.eventTimeMillis) {
                        fresh.append(event)
                        counts.candles += 1
                    } else {
                        duplicates += 1
                    }
                }
            }
        }
        // Trade ids are consecutive per pair on the venue: a jump is trades this client missed
        // (a reconnect, a dropped message). Detected on every frame, repaired before going on.
        var holes: [(pair: String, from: Int64, to: Int64)] = []
        lastTradeID.withLock { last in
            for case .trade(let trade) in fresh {
                if let previous = last[trade.pair], trade.tradeID > previous + 1 {
                    holes.append((trade.pair, previous + 1, trade.tradeID - 1))
                }
                last[trade.pair] = max(last[trade.pair] ?? .min, trade.tradeID)
            }
            for mark in frame.tradeWatermarks where !stale {
                if let previous = last[mark.pair], mark.lastTradeID > previous {
                    holes.append((mark.pair, previous + 1, mark.lastTradeID))
                }
                last[mark.pair] = max(last[mark.pair] ?? .min, mark.lastTradeID)
            }
        }
        if !holes.isEmpty {
            let repaired = await fill(holes)
            counts.trades += repaired.count
            fresh.insert(contentsOf: repaired, at: 0)
        }
        let rejections = frame.rejections
        let seen = counts
        await health.updateStream(id) { [duplicates, missed, stale] in
            $0.messages += 1
            $0.sequenceGaps += missed.count
            $0.messagesMissed += Int(missed.reduce(0, +))
            if stale { $0.staleMessages += 1 }
            $0.lastMessageMillis = now
            $0.duplicatesDropped += duplicates
            $0.trades += seen.trades
            $0.candles += seen.candles
            for rejection in rejections { $0.rejectedByReason[rejection.kind, default: 0] += 1 }
        }
        CollectorMetrics.streamMessages(id)
        CollectorMetrics.streamLastMessage(id, millis: now)
        if duplicates > 0 { CollectorMetrics.streamDuplicates(id, count: duplicates) }
        for count in missed { CollectorMetrics.streamSequenceGap(id, missed: Int(count)) }
        for rejection in rejections { CollectorMetrics.rejected(id, reason: rejection.kind, count: 1) }
        if !fresh.isEmpty { try await events(fresh) }
    }

    /// Gaps found so far, newest last (the last 100).
    public var gaps: [TradeGap] { gapLog.withLock { $0 } }

    /// Fetches the missing trades of each hole from REST; what the venue can no longer give is
    /// recorded as a gap, never invented. Returns the recovered trades not yet delivered.
    private func fill(_ holes: [(pair: String, from: Int64, to: Int64)]) async -> [StreamEvent] {
        let id = provider.id
        var recovered: [StreamEvent] = []
        for hole in holes {
            var gap = TradeGap(provider: id, pair: hole.pair, fromID: hole.from, toID: hole.to, filled: 0,
                               unfilled: hole.to - hole.from + 1, detectedMillis: currentUnixMillis())
            if let repair {
                do {
                    // The repair runs in the connection's reader: bounded well inside the watchdog,
                    // so a slow REST answer costs this hole, not the connection.
                    let pair = hole.pair
                    let trades = try await withTimeout(settings.watchdog / 2) { try await repair.recentTrades(pair: pair) }
                    var inHole: [Int64: TradeEvent] = [:]
                    for trade in trades where trade.pair == hole.pair && (hole.from...hole.to).contains(trade.tradeID) {
                        inHole[trade.tradeID] = trade
                    }
                    gap.filled = Int64(inHole.count)
                    gap.unfilled = gap.missing - gap.filled
                    if gap.unfilled > 0 { gap.reason = "older than the venue's recent trades" }
                    let ordered = inHole.values.sorted { $0.tradeID < $1.tradeID }
                    let admitted = deduplicator.withLock { dedupe in
                        ordered.filter { dedupe.admitTrade(pair: $0.pair, id: $0.tradeID) }
                    }
                    recovered += admitted.map(StreamEvent.trade)
                } catch {
                    gap.reason = "repair failed: \(error)"
                }
            } else {
                gap.reason = "no REST repair for this venue"
            }
            let recorded = gap
            gapLog.withLock { log in
                log.append(recorded)
                if log.count > 100 { log.removeFirst(log.count - 100) }
            }
            await health.updateStream(id) {
                $0.gapsFound += 1
                $0.tradesRepaired += Int(recorded.filled)
                $0.tradesUnfilled += Int(recorded.unfilled)
            }
            CollectorMetrics.streamGap(id, filled: Int(recorded.filled), unfilled: Int(recorded.unfilled))
            if recorded.unfilled > 0 {
                logger.warning("trade gap could not be filled", metadata: [
                    "provider": "\(id)", "pair": "\(recorded.pair)", "from_id": "\(recorded.fromID)", "to_id": "\(recorded.toID)",
                    "unfilled": "\(recorded.unfilled)", "reason": "\(recorded.reason ?? "")",
                ])
            }
        }
        return recovered
    }

    private func reject(_ error: StreamFrameError, _ bytes: [UInt8], _ connection: String, _ now: Int64) async {
        let id = provider.id
        let first = deadLetters.add(provider: id, connection: connection, error: error, frame: bytes)
        await health.updateStream(id) {
            $0.messages += 1
            $0.lastMessageMillis = now
            $0.malformedByReason[error.reason.rawValue, default: 0] += 1
            $0.lastError = error.description
            $0.lastErrorMillis = now
        }
        CollectorMetrics.streamMessages(id)
        CollectorMetrics.streamMalformed(id, reason: error.reason.rawValue)
        if first {
            logger.warning("dead-lettering unusable stream frame", metadata: [
                "provider": "\(id)", "connection": "\(connection)", "reason": "\(error.reason.rawValue)",
                "detail": "\(error.detail)",
            ])
        }
    }
}
