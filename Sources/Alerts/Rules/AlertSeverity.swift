/// How urgent an alert is; carried to the dashboard and webhooks, not used for evaluation.
public enum AlertSeverity: String, Sendable, Codable, CaseIterable {
    case info
    case warning
    case critical
}
