import CryptoVizCore
import Foundation

/// One alert rule: a condition over a scope of assets and sources, and how its alerts behave
/// (severity, cooldown, hysteresis, quiet hours).
///
/// JSON (snake_case): `{"version": 1, "id", "name", "type", <the type's fields>, "scope":
/// {"assets": [], "sources": []}, "severity", "cooldown_seconds", "hysteresis",
/// "quiet_hours": {"start": "HH:MM", "end": "HH:MM"}, "enabled"}`. Decoding validates every
/// field and refuses unknown ones, so a typo is an error that names the field, not a rule that
/// silently never fires.
public struct AlertRule: Sendable, Hashable {
    /// The rule format this code reads and writes.
    public static let currentVersion = 1
    /// The most returns an `anomaly` rule's window holds per series (a day of 1-minute returns).
    public static let maxAnomalyReturns = 1440
    /// The most ids a scope lists per kind, as the OpenAPI schema's `maxItems` says: a rule is
    /// checked against every tick, so its scope stays small.
    public static let maxScopeEntries = 100

    /// Letters, digits, `_` and `-`, at most 64: the id appears in alert ids and URLs.
    public var id: String
    public var name: String
    public var condition: AlertCondition
    public var scope: AlertScope
    public var severity: AlertSeverity
    /// No new alert of this rule (for the same series) within this many seconds of the last.
    public var cooldownSeconds: Int
    /// How far, in the condition's own unit (price, percentage points, z, seconds), the value
    /// must come back past the threshold before the rule re-arms; damps flapping around a level.
    public var hysteresis: Double
    public var quietHours: QuietHours?
    public var enabled: Bool

    public init(
        id: String, name: String? = nil, condition: AlertCondition, scope: AlertScope = AlertScope(),
        severity: AlertSeverity = .warning, cooldownSeconds: Int = 300, hysteresis: Double = 0,
        quietHours: QuietHours? = nil, enabled: Bool = true
    ) {
        self.id = id
        self.name = name ?? id
        self.condition = condition
        self.scope = scope
        self.severity = severity
        self.cooldownSeconds = cooldownSeconds
        self.hysteresis = hysteresis
        self.quietHours = quietHours
        self.enabled = enabled
    }

    /// Decodes and validates one rule from JSON bytes; malformed JSON is an `invalidRule` error too.
    public static func decode(_ bytes: some Collection<UInt8>) throws(AlertsError) -> AlertRule {
        do {
            return try JSONDecoder().decode(AlertRule.self, from: Data(bytes))
        } catch let error as AlertsError {
            throw error
        } catch {
            throw AlertsError(.invalidRule, "rule is not valid JSON: \(RuleFields.describe(error))")
        }
    }

    /// Checks every value's range; decoding calls it, and so should code that builds rules.
    public func validate() throws(AlertsError) {
        guard !id.isEmpty, id.count <= 64,
            id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") })
        else { throw AlertsError.invalid("id", "must be 1 to 64 letters, digits, '_' or '-'") }
        // Counted in code points, as JSON Schema's maxLength counts them.
        guard !name.isEmpty, name.unicodeScalars.count <= 200 else { throw AlertsError.invalid("name", "must be 1 to 200 characters") }
        guard scope.assets.count <= Self.maxScopeEntries else {
            throw AlertsError.invalid("scope.assets", "must list at most \(Self.maxScopeEntries) assets (has \(scope.assets.count))")
        }
        guard scope.sources.count <= Self.maxScopeEntries else {
            throw AlertsError.invalid("scope.sources", "must list at most \(Self.maxScopeEntries) sources (has \(scope.sources.count))")
        }
        for (i, asset) in scope.assets.enumerated() where !Self.isIdentifier(asset.rawValue) {
            throw AlertsError.invalid("scope.assets[\(i)]", "is not an asset id")
        }
        for (i, source) in scope.sources.enumerated() where !Self.isIdentifier(source.rawValue) {
            throw AlertsError.invalid("scope.sources[\(i)]", "is not a source id")
        }
        guard (0...604_800).contains(cooldownSeconds) else {
            throw AlertsError.invalid("cooldown_seconds", "must be from 0 to 604800 (a week)")
        }
        guard hysteresis.isFinite, hysteresis >= 0 else { throw AlertsError.invalid("hysteresis", "must be a number >= 0") }
        switch condition {
        case .priceAbove(let level), .priceBelow(let level):
            guard level.isFinite, level > 0 else { throw AlertsError.invalid("level", "must be a price > 0") }
        case .change(let percent, let minutes, _):
            guard percent.isFinite, percent > 0, percent <= 10_000 else { throw AlertsError.invalid("percent", "must be > 0 and <= 10000") }
            guard (1...1440).contains(minutes) else { throw AlertsError.invalid("minutes", "must be from 1 to 1440") }
        case .anomaly(let z, let window, let returnSeconds):
            guard z.isFinite, z > 0, z <= 1000 else { throw AlertsError.invalid("z", "must be > 0 and <= 1000") }
            guard (1...3600).contains(returnSeconds) else { throw AlertsError.invalid("return_seconds", "must be from 1 to 3600") }
            guard (1...1440).contains(window) else { throw AlertsError.invalid("window_minutes", "must be from 1 to 1440") }
            // Each series keeps its window in memory: bounded, whatever the two fields say.
            guard (2...Self.maxAnomalyReturns).contains(window * 60 / returnSeconds) else {
                throw AlertsError.invalid("window_minutes", "must hold from 2 to \(Self.maxAnomalyReturns) returns of return_seconds (has \(window * 60 / returnSeconds))")
            }
        case .spread(let percent, let age):
            guard percent.isFinite, percent > 0, percent <= 10_000 else { throw AlertsError.invalid("percent", "must be > 0 and <= 10000") }
            guard (1...86_400).contains(age) else { throw AlertsError.invalid("max_quote_age_seconds", "must be from 1 to 86400") }
        case .staleSource(let seconds), .lakeFreshness(let seconds):
            guard (1...604_800).contains(seconds) else { throw AlertsError.invalid("seconds", "must be from 1 to 604800") }
        }
    }

    /// Asset and source ids as the rest of the API spells them: 1-64 of a-z, 0-9, '-', '_',
    /// '.', starting with a letter or digit.
    static func isIdentifier(_ text: String) -> Bool {
        func alphanumeric(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard let first = text.utf8.first, text.utf8.count <= 64, alphanumeric(first) else { return false }
        return text.utf8.allSatisfy { alphanumeric($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }
}
