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

    /// An event with its position in the history (the lake table's `seq` column).
    public struct NumberedEvent: Sendable {
        public var position: Int
        public var event: AlertEvent
    }

    private var engine: AlertEngine
    private let store: AlertStore
    private let delivery: WebhookDelivery?
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private var history: AlertHistory
    private let fanout = AlertFanout()

    /// Opens the alerts directory: saved rules and state, then `rulesFile`'s rules on top
    /// (a rule in the file replaces the saved one with its id).
    ///
    /// - Parameters:
    ///   - historyLimit: events kept in memory for the API; the journal holds at most twice as
    ///     many, plus any the lake table does not hold yet.
    ///   - exportsHistory: a lake table receives the history (`historyToExport`,
    ///     `historyExported`): the journal then keeps every event until the lake has it.
    public init(store: AlertStore, rulesFile: AlertRuleSet? = nil, delivery: WebhookDelivery? = nil,
                historyLimit: Int = 10_000, exportsHistory: Bool = false, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = currentUnixMillis) throws(AlertsError) {
        self.store = store
        self.delivery = delivery
        self.logger = logger
        self.clock = clock
        var engine = AlertEngine(rules: try store.loadRules() ?? [], state: try store.loadState())
        if let rulesFile {
            for rule in rulesFile.rules {
                // A file rule equal to the saved one keeps its held alerts across the restart.
                if engine.rules.first(where: { $0.id == rule.id }) != rule { engine.upsert(rule) }
            }
            try store.saveRules(engine.rules)
        }
        self.engine = engine
        self.history = try AlertHistory(store: store, limit: historyLimit, exports: exportsHistory)
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
                try history.append(events)
            } catch {
                AlertMetrics.storageFailure("history")
                logger.error("cannot append to the alert history", metadata: ["error": "\(error)"])
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
        try change { $0.upsert(rule, now: clock()) }
    }

    /// Replaces the rule `id`; `unknownRule` when there is none.
    public func replace(id: String, with rule: AlertRule) throws(AlertsError) {
        try rule.validate()
        guard rule.id == id else { throw AlertsError.invalid("id", "must equal the rule id in the path ('\(id)')") }
        guard self.rule(id: id) != nil else { throw AlertsError(.unknownRule, "no rule with id '\(id)'") }
        try change { $0.upsert(rule, now: clock()) }
    }

    /// Removes the rule `id`; `unknownRule` when there is none.
    public func remove(id: String) throws(AlertsError) {
        guard self.rule(id: id) != nil else { throw AlertsError(.unknownRule, "no rule with id '\(id)'") }
        try change { $0.remove(id: id, now: clock()) ?? [] }
    }

    /// Applies a rule change and saves it; on a failed save the change is undone, so memory
    /// never holds rules that a restart would not. The alerts the change resolves are announced.
    private func change(_ body: (inout AlertEngine) -> [AlertEvent]) throws(AlertsError) {
        var changed = engine
        let events = body(&changed)
        try store.saveRules(changed.rules)
        engine = changed
        record(events)
    }

    // MARK: History and live events

    /// Events newest first, `limit` of them, strictly before the position `before`.
    public func history(limit: Int, before: Int? = nil) -> HistoryPage {
        let page = history.page(count: limit, before: before)
        return HistoryPage(events: page.events, nextCursor: page.nextCursor)
    }

    /// Up to `limit` events from `position` on, for the lake table's writer.
    public func historyToExport(from position: Int, limit: Int) throws(AlertsError) -> [NumberedEvent] {
        try history.events(from: position, count: limit).map { NumberedEvent(position: $0.position, event: $0.event) }
    }

    /// The lake table holds every event before `position`: the journal may forget them.
    public func historyExported(through position: Int) throws(AlertsError) {
        try history.markExported(through: position)
    }

    /// The position the next event gets (events before it are in the journal or exported).
    public var historyEnd: Int { history.end }

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
