import CryptoVizCore

/// Evaluates alert rules incrementally over ticks, a clock and lake-freshness observations,
/// and says which alerts fire and which resolve.
///
/// Pure state, no I/O: the caller feeds it, persists `state` when `stateChanged` says so,
/// and delivers the events. Rules are indexed by asset, so a tick touches only the rules
/// scoped to its asset plus those scoped to all assets, and each rule does O(1) amortized work
/// per tick (ring buffers keyed by minute, no rescans). Price, change and anomaly rules track
/// each (asset, source) series on its own: mixing sources would turn their spread into moves.
public struct AlertEngine: Sendable {
    private var runtimes: [RuleRuntime] = []
    private var byAsset: [AssetID: [Int]] = [:]
    private var anyAsset: [Int] = []
    private var clockRules: [Int] = []
    private var lakeRules: [Int] = []
    /// Firings per rule id so far; kept after a rule is deleted so its alert ids are never reused.
    private var sequences: [String: Int] = [:]
    /// Set whenever held/armed state or a sequence changed; the caller clears it after saving.
    public var stateChanged = false

    /// - Parameter state: saved by an earlier run; held alerts stay held (not fired again).
    public init(rules: [AlertRule], state: AlertEngineState? = nil) {
        sequences = state?.sequences ?? [:]
        runtimes = rules.map { rule in
            var runtime = RuleRuntime(rule: rule)
            for entry in state?.triggers[rule.id] ?? [] {
                runtime.triggers[SeriesKey(asset: entry.asset, source: entry.source)] = entry.trigger
            }
            return runtime
        }
        reindex()
    }

    /// The rules, in the order they were added.
    public var rules: [AlertRule] { runtimes.map(\.rule) }

    /// Adds a rule, or replaces the one with its id. A replacement that keeps the condition and
    /// scope (a new name, severity, cooldown, hysteresis, quiet hours or enabled flag) keeps the
    /// rule's windows and held alerts; one that changes what is watched starts afresh, and its
    /// held alerts are resolved now (returned, value 0), so no receiver is left with an alert
    /// that nothing will ever end.
    @discardableResult
    public mutating func upsert(_ rule: AlertRule, now: Int64 = currentUnixMillis()) -> [AlertEvent] {
        var events: [AlertEvent] = []
        if let i = runtimes.firstIndex(where: { $0.rule.id == rule.id }) {
            if runtimes[i].rule.condition == rule.condition && runtimes[i].rule.scope == rule.scope {
                runtimes[i].rule = rule
            } else {
                events = closeHeld(runtimes[i], now: now)
                runtimes[i] = RuleRuntime(rule: rule)
            }
        } else {
            runtimes.append(RuleRuntime(rule: rule))
        }
        stateChanged = true
        reindex()
        return events
    }

    /// Removes a rule, resolving its held alerts now (returned); nil when no rule has this id.
    @discardableResult
    public mutating func remove(id: String, now: Int64 = currentUnixMillis()) -> [AlertEvent]? {
        guard let i = runtimes.firstIndex(where: { $0.rule.id == id }) else { return nil }
        let events = closeHeld(runtimes[i], now: now)
        runtimes.remove(at: i)
        stateChanged = true
        reindex()
        return events
    }

    /// Resolution events for the announced alerts `runtime` holds (its rule is changing or going).
    private func closeHeld(_ runtime: RuleRuntime, now: Int64) -> [AlertEvent] {
        runtime.triggers.sorted { ($0.key.asset?.rawValue ?? "", $0.key.source?.rawValue ?? "") < ($1.key.asset?.rawValue ?? "", $1.key.source?.rawValue ?? "") }
            .compactMap { key, trigger in
                guard trigger.held, let alertID = trigger.alertID else { return nil }
                return event(.resolved, alertID: alertID, rule: runtime.rule, key: key, value: 0,
                             firedAt: trigger.firedAtMillis ?? now, at: now)
            }
    }

    private mutating func reindex() {
        byAsset = [:]
        anyAsset = []
        clockRules = []
        lakeRules = []
        for (i, runtime) in runtimes.enumerated() {
            switch runtime.rule.condition {
            case .lakeFreshness: lakeRules.append(i); continue
            case .staleSource: clockRules.append(i)
            default: break
            }
            if runtime.rule.scope.assets.isEmpty {
                anyAsset.append(i)
            } else {
                for asset in Set(runtime.rule.scope.assets) { byAsset[asset, default: []].append(i) }
            }
        }
    }

    /// Feeds one tick received at `now` (Unix ms; windows use the tick's source time).
    public mutating func ingest(_ tick: Tick, now: Int64) -> [AlertEvent] {
        var events: [AlertEvent] = []
        if let scoped = byAsset[tick.asset] {
            for i in scoped { evaluate(rule: i, tick: tick, now: now, into: &events) }
        }
        for i in anyAsset { evaluate(rule: i, tick: tick, now: now, into: &events) }
        return events
    }

    /// Checks time-based rules (stale sources) at `now`; call it every second or so.
    public mutating func advanceClock(to now: Int64) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for i in clockRules where runtimes[i].rule.enabled {
            guard case .staleSource = runtimes[i].rule.condition else { continue }
            // A source in scope that never reported counts from the first check.
            let since = runtimes[i].watchSince ?? now
            runtimes[i].watchSince = since
            let scoped = runtimes[i].rule.scope.sources
            let sources = scoped.isEmpty ? Array(runtimes[i].lastSeen.keys) : scoped
            for source in sources {
                // Silence ends with a tick (see `evaluate`), not with the clock: after a restart
                // the clock knows no last tick, and a held alert must not look resolved.
                if runtimes[i].triggers[SeriesKey(source: source)]?.held == true { continue }
                let last = runtimes[i].lastSeen[source] ?? since
                measure(rule: i, key: SeriesKey(source: source), value: Double(now - last) / 1000, now: now, into: &events)
            }
        }
        return events
    }

    /// Feeds how far `source`'s newest lake row is behind (seconds), observed at `now`.
    public mutating func observeLakeFreshness(source: ProviderID, lagSeconds: Double, now: Int64) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for i in lakeRules where runtimes[i].rule.enabled && runtimes[i].rule.scope.includes(source: source) {
            measure(rule: i, key: SeriesKey(source: source), value: lagSeconds, now: now, into: &events)
        }
        return events
    }

    private mutating func evaluate(rule i: Int, tick: Tick, now: Int64, into events: inout [AlertEvent]) {
        let rule = runtimes[i].rule
        guard rule.enabled, rule.scope.includes(source: tick.source), tick.price.isFinite, tick.price > 0 else { return }
        let series = SeriesKey(asset: tick.asset, source: tick.source)
        let minute = tick.sourceTimeMillis.floorDivided(by: 60_000)
        switch rule.condition {
        case .priceAbove, .priceBelow:
            measure(rule: i, key: series, value: tick.price, now: now, into: &events)
        case .change(_, let minutes, let direction):
            guard runtimes[i].closes[series, default: MinuteCloses(span: minutes)].record(tick.price, minute: minute),
                let reference = runtimes[i].closes[series]?.close(at: minute - Int64(minutes)), reference > 0
            else { return }
            let change = (tick.price / reference - 1) * 100
            let value = switch direction {
            case .up: change
            case .down: -change
            case .either: abs(change)
            }
            measure(rule: i, key: series, value: value, now: now, into: &events)
        case .anomaly(_, let window, let returnSeconds):
            let period = tick.sourceTimeMillis.floorDivided(by: Int64(returnSeconds) * 1000)
            guard let z = runtimes[i].returns[series, default: RollingReturns(window: window * 60 / returnSeconds)]
                .record(tick.price, period: period) else { return }
            measure(rule: i, key: series, value: z, now: now, into: &events)
        case .spread(_, let maxAge):
            runtimes[i].quotes[tick.asset, default: [:]][tick.source] = Quote(price: tick.price, atMillis: now)
            // At most one quote per source: a handful, so this is O(1) per tick.
            var low = Double.infinity, high = -Double.infinity, counted = 0
            for quote in runtimes[i].quotes[tick.asset]!.values where now - quote.atMillis <= Int64(maxAge) * 1000 {
                low = min(low, quote.price)
                high = max(high, quote.price)
                counted += 1
            }
            guard counted >= 2 else { return }
            measure(rule: i, key: SeriesKey(asset: tick.asset), value: (high - low) / low * 100, now: now, into: &events)
        case .staleSource:
            runtimes[i].lastSeen[tick.source] = now
            // A tick is the end of a silence: resolve at once rather than at the next clock check.
            if runtimes[i].triggers[SeriesKey(source: tick.source)]?.held == true {
                measure(rule: i, key: SeriesKey(source: tick.source), value: 0, now: now, into: &events)
            }
        case .lakeFreshness:
            return
        }
    }

    private mutating func measure(rule i: Int, key: SeriesKey, value: Double, now: Int64, into events: inout [AlertEvent]) {
        let rule = runtimes[i].rule
        var trigger = runtimes[i].triggers[key] ?? Trigger()
        let transition = trigger.step(
            value: value, threshold: rule.condition.threshold, above: rule.condition.firesAbove,
            hysteresis: rule.hysteresis, cooldownMillis: Int64(rule.cooldownSeconds) * 1000,
            quiet: rule.quietHours?.contains(millis: now) ?? false, now: now)
        switch transition {
        case .none:
            return
        case .fire:
            let sequence = sequences[rule.id, default: 0] + 1
            sequences[rule.id] = sequence
            let alertID = "\(rule.id)-\(sequence)"
            trigger.alertID = alertID
            events.append(event(.fired, alertID: alertID, rule: rule, key: key, value: value, firedAt: now, at: now))
        case .suppress:
            break
        case .resolve(let alertID, let firedAt):
            if let alertID {
                events.append(event(.resolved, alertID: alertID, rule: rule, key: key, value: value, firedAt: firedAt, at: now))
            }
        }
        if trigger.isInitial {
            runtimes[i].triggers.removeValue(forKey: key)
        } else {
            runtimes[i].triggers[key] = trigger
        }
        stateChanged = true
    }

    private func event(_ kind: AlertEvent.Kind, alertID: String, rule: AlertRule, key: SeriesKey,
                       value: Double, firedAt: Int64, at: Int64) -> AlertEvent {
        AlertEvent(
            id: "\(alertID):\(kind.rawValue)", alertID: alertID, kind: kind, ruleID: rule.id, ruleName: rule.name,
            type: rule.condition.typeName, severity: rule.severity, asset: key.asset, source: key.source,
            value: value.isFinite ? value : 0, threshold: rule.condition.threshold, firedAtMillis: firedAt, atMillis: at)
    }

    /// What must survive a restart: firing sequences and every non-initial trigger.
    public var state: AlertEngineState {
        var triggers: [String: [AlertEngineState.Entry]] = [:]
        for runtime in runtimes where !runtime.triggers.isEmpty {
            triggers[runtime.rule.id] = runtime.triggers
                .map { AlertEngineState.Entry(asset: $0.key.asset, source: $0.key.source, trigger: $0.value) }
                .sorted { ($0.asset?.rawValue ?? "", $0.source?.rawValue ?? "") < ($1.asset?.rawValue ?? "", $1.source?.rawValue ?? "") }
        }
        return AlertEngineState(sequences: sequences, triggers: triggers)
    }

    /// Alerts fired and not yet resolved.
    public var heldAlertIDs: [String] {
        runtimes.flatMap { $0.triggers.values.compactMap(\.alertID) }.sorted()
    }
}

/// Per-rule evaluation state; only the fields its condition uses are filled.
struct RuleRuntime: Sendable {
    var rule: AlertRule
    var triggers: [SeriesKey: Trigger] = [:]
    var closes: [SeriesKey: MinuteCloses] = [:]
    var returns: [SeriesKey: RollingReturns] = [:]
    var quotes: [AssetID: [ProviderID: Quote]] = [:]
    var lastSeen: [ProviderID: Int64] = [:]
    var watchSince: Int64?
}

struct Quote: Sendable {
    var price: Double
    var atMillis: Int64
}
