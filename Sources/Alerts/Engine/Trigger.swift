/// The armed/held state of one rule for one series, with cooldown, hysteresis and quiet hours.
///
/// Armed → (value past the threshold, out of cooldown) → held: fires unless in quiet hours.
/// Held → (value back past the threshold by the hysteresis margin) → armed: resolves the
/// alert it fired. So one crossing is one alert however many ticks confirm it, and a value
/// hovering at the level does not fire again until it has clearly left it.
struct Trigger: Sendable, Codable, Hashable {
    /// The condition was met and has not cleared by the hysteresis margin.
    var held = false
    /// The alert announced for this hold; nil while armed or when quiet hours suppressed it.
    var alertID: String?
    var firedAtMillis: Int64?
    /// The last firing, for the cooldown.
    var lastFiredMillis: Int64?

    enum CodingKeys: String, CodingKey {
        case held
        case alertID = "alert_id"
        case firedAtMillis = "fired_at_ms"
        case lastFiredMillis = "last_fired_ms"
    }

    /// Nothing to remember: armed and never fired.
    var isInitial: Bool { !held && lastFiredMillis == nil }

    enum Transition: Equatable {
        case none
        /// Fired; the caller numbers the alert and sets `alertID`.
        case fire
        /// Held silently (quiet hours): nothing to announce, and nothing later.
        case suppress
        /// Cleared; carries the alert to resolve when one was announced.
        case resolve(alertID: String?, firedAtMillis: Int64)
    }

    /// Advances the state with one measurement.
    mutating func step(value: Double, threshold: Double, above: Bool, hysteresis: Double,
                       cooldownMillis: Int64, quiet: Bool, now: Int64) -> Transition {
        if held {
            let cleared = above ? value <= threshold - hysteresis : value >= threshold + hysteresis
            guard cleared else { return .none }
            let resolved = Transition.resolve(alertID: alertID, firedAtMillis: firedAtMillis ?? now)
            held = false
            alertID = nil
            firedAtMillis = nil
            return resolved
        }
        let breached = above ? value > threshold : value < threshold
        guard breached else { return .none }
        if let last = lastFiredMillis, now < last + cooldownMillis { return .none }
        held = true
        if quiet { return .suppress }
        lastFiredMillis = now
        firedAtMillis = now
        return .fire
    }
}
