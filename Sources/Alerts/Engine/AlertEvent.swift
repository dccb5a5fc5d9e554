import CryptoVizCore

/// An alert firing, or the end of one: what the dashboard shows and webhooks receive.
///
/// `alertID` is `<rule id>-<n>`, n counting the rule's firings from 1, so it is the same
/// whenever the same firing is computed again (after a crash before state was saved); `id`
/// adds the kind (`…:fired`, `…:resolved`) and is the webhook idempotency key.
public struct AlertEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case fired, resolved }

    public var id: String
    public var alertID: String
    public var kind: Kind
    public var ruleID: String
    public var ruleName: String
    /// The rule's JSON `type`.
    public var type: String
    public var severity: AlertSeverity
    /// The series the alert is about: asset and source for price rules, asset for spread,
    /// source for staleness and lake freshness.
    public var asset: AssetID?
    public var source: ProviderID?
    /// The measured value when the event happened (price, %, z, seconds).
    public var value: Double
    public var threshold: Double
    /// When the alert fired (for a resolution, the firing it ends), Unix ms.
    public var firedAtMillis: Int64
    /// When this event happened, Unix ms.
    public var atMillis: Int64

    enum CodingKeys: String, CodingKey {
        case id, kind, type, severity, asset, source, value, threshold
        case alertID = "alert_id"
        case ruleID = "rule_id"
        case ruleName = "rule_name"
        case firedAtMillis = "fired_at_ms"
        case atMillis = "at_ms"
    }
}
