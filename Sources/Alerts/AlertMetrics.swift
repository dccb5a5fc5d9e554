import Metrics

/// The alerts' swift-metrics instruments; names follow `cryptoviz_<module>_<thing>_<unit>`.
///
/// Dimensions are low-cardinality by construction (kinds, severities, outcomes), never rule or
/// asset ids: a user can create any number of rules.
enum AlertMetrics {
    /// One per alert event: `kind` fired or resolved.
    static func event(_ event: AlertEvent) {
        Counter(label: "cryptoviz_alerts_events_total",
                dimensions: [("kind", event.kind.rawValue), ("severity", event.severity.rawValue)]).increment()
    }

    /// One per webhook attempt's end: `delivered`, `retried` or `dead_lettered`.
    static func delivery(outcome: String) {
        Counter(label: "cryptoviz_alerts_webhook_deliveries_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// Failures to write the alerts directory (state, history, outbox): lost durability.
    static func storageFailure(_ what: String) {
        Counter(label: "cryptoviz_alerts_storage_failures_total", dimensions: [("file", what)]).increment()
    }
}
