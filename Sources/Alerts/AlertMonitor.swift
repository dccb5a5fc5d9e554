import CryptoVizCore
import Foundation
import Logging

/// The alerts of one serving process: an `AlertEngine` fed with live ticks and a clock, its
/// rules and state kept in an `AlertStore`, events handed to webhooks, kept in a history and
/// pushed to live subscribers (the SSE stream).
///
/// Order on every event: webhook outbox, then history, then state, then subscribers. So a
/// crash can lose nothing announced: at worst the firing is computed again at restart with the
/// same alert id (its sequence was not saved either) and the receiver de-duplicates it.
public actor AlertMonitor {
    /// A page of the history, newest first; pass `nextCursor` as `before` for the next page.
    public struct HistoryPage: Sendable {
        public var events: [AlertEvent]
        public var nextCursor: Int?
    }

    private var engine: AlertEngine
    private let store: AlertStore
    private let delivery: WebhookDelivery?
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    /// Held in memory for the API, oldest first; `historyStart` is the position of its first.
    private var history: [AlertEvent]
    private var historyStart = 0
    private let historyLimit: Int
    private let fanout = AlertFanout()

    /// Opens the alerts directory: saved rules and state, then `rulesFile`'s rules on top
    /// (a rule in the file replaces the saved one with its id).
    public init(store: AlertStore, rulesFile: AlertRuleSet? = nil, delivery: WebhookDelivery? = nil,
                historyLimit: Int = 10_000, logger: Logger, clock: @escaping @Sendable () -> Int64 = currentUnixMillis) throws(AlertsError) {
        self.store = store
        self.delivery = delivery
        self.logger = logger
        self.clock = clock
        self.historyLimit = historyLimit
        var engine = AlertEngine(rules: try store.loadRules() ?? [], state: try store.loadState())
        if let rulesFile {
            for rule in rulesFile.rules {
                // A file rule equal to the saved one keeps its held alerts across the restart.
                if engine.rules.first(where: { $0.id == rule.id }) != rule { engine.upsert(rule) }
            }
            try store.saveRules(engine.rules)
        }
        self.engine = engine
        self.history = try store.loadHistory(limit: historyLimit)
        if engine.stateChanged {
            try store.saveState(engine.state)
            self.engine.stateChanged = false
        }
    }

    // MARK: Feeding

    /// Evaluates ticks received now.
    public func ingest(_ ticks: [Tick]) {
        guard !ticks.isEmpty else { return }
        let now = clock()
        var events: [AlertEvent] = []
        for tick in ticks { events += engine.ingest(tick, now: now) }
        record(events)
    }

    /// Checks time-based rules (stale sources).
    public func advanceClock() {
        record(engine.advanceClock(to: clock()))
    }

    /// Feeds an observed lake lag for `source`.
    public func observeLakeFreshness(source: ProviderID, lagSeconds: Double) {
        record(engine.observeLakeFreshness(source: source, lagSeconds: lagSeconds, now: clock()))
    }

    /// Consumes `ticks` and checks the clock every `clockInterval`, until cancelled or the feed ends.
    ///
    /// Ticks that arrive while the engine is busy are evaluated together as one batch (one state
    /// save for the batch), so the feed's bounded buffer does not fill behind a burst of alerts.
    public func run(ticks: AsyncStream<Tick>, clockInterval: Duration = .seconds(1)) async {
        let inbox = TickInbox()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await tick in ticks { inbox.add(tick) }
                inbox.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: clockInterval) } catch { return }
                    await self.advanceClock()
                }
            }
            for await _ in inbox.wakeUps { ingest(inbox.take()) }
            ingest(inbox.take())
            group.cancelAll()
        }
    }

    private func record(_ events: [AlertEvent]) {
        if !events.isEmpty {
            for event in events { AlertMetrics.event(event) }
            do {
                try delivery?.enqueue(events)
            } catch {
                AlertMetrics.storageFailure("outbox")
                logger.error("cannot queue webhook deliveries", metadata: ["error": "\(error)"])
            }
            do {
                try store.appendHistory(events)
            } catch {
                AlertMetrics.storageFailure("history")
                logger.error("cannot append to the alert history", metadata: ["error": "\(error)"])
            }
            history += events
            if history.count > historyLimit {
                let drop = history.count - historyLimit
                history.removeFirst(drop)
                historyStart += drop
            }
        }
        saveStateIfChanged()
        if !events.isEmpty {
            fanout.publish(events)
        }
    }

    private func saveStateIfChanged() {
        guard engine.stateChanged else { return }
        do {
            try store.saveState(engine.state)
            engine.stateChanged = false
        } catch {
            AlertMetrics.storageFailure("state")
            logger.error("cannot save alert state; a restart may announce held alerts again", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Rules

    public var rules: [AlertRule] { engine.rules }

    public func rule(id: String) -> AlertRule? { engine.rules.first { $0.id == id } }

    /// Adds a new rule; `duplicateRule` when its id is taken.
    public func add(_ rule: AlertRule) throws(AlertsError) {
        try rule.validate()
        guard self.rule(id: rule.id) == nil else {
            throw AlertsError(.duplicateRule, "a rule with id '\(rule.id)' exists; PUT replaces it", field: "id")
        }
        try change { $0.upsert(rule) }
    }

    /// Replaces the rule `id`; `unknownRule` when there is none.
    public func replace(id: String, with rule: AlertRule) throws(AlertsError) {
        try rule.validate()
        guard rule.id == id else { throw AlertsError.invalid("id", "must equal the rule id in the path ('\(id)')") }
        guard self.rule(id: id) != nil else { throw AlertsError(.unknownRule, "no rule with id '\(id)'") }
        try change { $0.upsert(rule) }
    }

    /// Removes the rule `id`; `unknownRule` when there is none.
    public func remove(id: String) throws(AlertsError) {
        guard self.rule(id: id) != nil else { throw AlertsError(.unknownRule, "no rule with id '\(id)'") }
        try change { $0.remove(id: id) }
    }

    /// Applies a rule change and saves it; on a failed save the change is undone, so memory
    /// never holds rules that a restart would not.
    private func change(_ body: (inout AlertEngine) -> Void) throws(AlertsError) {
        var changed = engine
        body(&changed)
        try store.saveRules(changed.rules)
        engine = changed
        saveStateIfChanged()
    }

    // MARK: History and live events

    /// Events newest first, `limit` of them, strictly before the position `before`.
    public func history(limit: Int, before: Int? = nil) -> HistoryPage {
        let end = min(before ?? Int.max, historyStart + history.count)
        let start = max(historyStart, end - limit)
        guard end > start else { return HistoryPage(events: [], nextCursor: nil) }
        let events = Array(history[(start - historyStart)..<(end - historyStart)].reversed())
        return HistoryPage(events: events, nextCursor: start > historyStart ? start : nil)
    }

    /// Alerts fired and not yet resolved.
    public var heldAlertIDs: [String] { engine.heldAlertIDs }

    /// Whether an enabled rule needs lake-freshness observations (so nobody reads the lake for none).
    public var watchesLakeFreshness: Bool {
        engine.rules.contains { rule in
            if case .lakeFreshness = rule.condition { return rule.enabled }
            return false
        }
    }

    /// Every event from now on; a slow reader loses the oldest (bounded buffer).
    public nonisolated func subscribe(buffer: Int = 256) -> AsyncStream<AlertEvent> {
        fanout.subscribe(buffer: buffer)
    }
}
