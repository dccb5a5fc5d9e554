/// One row of the lake's `alerts` table: an alert firing or resolution, as the serving process
/// announced it (the Alerts module's `AlertEvent`), with its place in that process's history.
///
/// The Lakehouse knows no alert rules; the server turns events into records.
public struct AlertRecord: Sendable, Hashable {
    /// The event id (`<alert id>:fired|resolved`), the webhook idempotency key.
    public var id: String
    public var alertID: String
    /// `fired` or `resolved`.
    public var kind: String
    public var ruleID: String
    public var ruleName: String
    /// The rule's JSON `type` (`price_above`, `spread`, …).
    public var type: String
    public var severity: String
    public var asset: String?
    public var source: String?
    public var value: Double
    public var threshold: Double
    public var firedAtMillis: Int64
    public var atMillis: Int64
    /// The event's position in the writer's history (0-based, gap-free): the API's cursor, and
    /// what the table's `txn` version counts, so a retried append neither loses nor repeats rows.
    public var position: Int64

    public init(id: String, alertID: String, kind: String, ruleID: String, ruleName: String, type: String, severity: String,
                asset: String?, source: String?, value: Double, threshold: Double, firedAtMillis: Int64, atMillis: Int64,
                position: Int64) {
        self.id = id
        self.alertID = alertID
        self.kind = kind
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.type = type
        self.severity = severity
        self.asset = asset
        self.source = source
        self.value = value
        self.threshold = threshold
        self.firedAtMillis = firedAtMillis
        self.atMillis = atMillis
        self.position = position
    }
}
