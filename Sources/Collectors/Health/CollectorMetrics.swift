import CryptoVizCore
import Metrics

/// The collector's swift-metrics instruments; names follow `cryptoviz_<module>_<thing>_<unit>`.
///
/// Dimensions are low-cardinality by construction: provider ids, `CollectorError.Code` and
/// `TickRejection.kind` values, never asset ids or messages.
enum CollectorMetrics {
    /// One per HTTP request attempt: outcome is "success" or an error code.
    static func request(_ provider: ProviderID, outcome: String) {
        Counter(label: "cryptoviz_collector_requests_total",
                dimensions: [("provider", provider.rawValue), ("outcome", outcome)]).increment()
    }

    static func rejected(_ provider: ProviderID, reason: String, count: Int) {
        Counter(label: "cryptoviz_collector_rejected_total",
                dimensions: [("provider", provider.rawValue), ("reason", reason)]).increment(by: count)
    }

    static func unresolved(_ provider: ProviderID, reason: String, count: Int) {
        Counter(label: "cryptoviz_collector_unresolved_total",
                dimensions: [("provider", provider.rawValue), ("reason", reason)]).increment(by: count)
    }

    static func ticks(_ provider: ProviderID, count: Int) {
        Counter(label: "cryptoviz_collector_ticks_total",
                dimensions: [("provider", provider.rawValue)]).increment(by: count)
    }

    /// Ticks dropped as an observation this collector had delivered already.
    static func repeats(_ provider: ProviderID, count: Int) {
        Counter(label: "cryptoviz_collector_repeats_dropped_total",
                dimensions: [("provider", provider.rawValue)]).increment(by: count)
    }

    static func rateLimitWait(_ provider: ProviderID, _ waited: Duration) {
        Counter(label: "cryptoviz_collector_rate_limit_waits_total",
                dimensions: [("provider", provider.rawValue)]).increment()
        Metrics.Timer(label: "cryptoviz_collector_rate_limit_wait_seconds",
              dimensions: [("provider", provider.rawValue)]).recordNanoseconds(waited.wholeMilliseconds * 1_000_000)
    }

    /// Stream lifecycle events: kind is "opened", "reconnect", "stall" or "rotation".
    static func streamConnection(_ provider: ProviderID, event: String) {
        Counter(label: "cryptoviz_collector_stream_connections_total",
                dimensions: [("provider", provider.rawValue), ("event", event)]).increment()
    }

    static func streamMessages(_ provider: ProviderID, count: Int = 1) {
        Counter(label: "cryptoviz_collector_stream_messages_total",
                dimensions: [("provider", provider.rawValue)]).increment(by: count)
    }

    static func streamMalformed(_ provider: ProviderID, reason: String) {
        Counter(label: "cryptoviz_collector_stream_malformed_total",
                dimensions: [("provider", provider.rawValue), ("reason", reason)]).increment()
    }

    static func streamDuplicates(_ provider: ProviderID, count: Int) {
        Counter(label: "cryptoviz_collector_stream_duplicates_total",
                dimensions: [("provider", provider.rawValue)]).increment(by: count)
    }

    static func streamGap(_ provider: ProviderID, filled: Int, unfilled: Int) {
        Counter(label: "cryptoviz_collector_stream_gaps_total", dimensions: [("provider", provider.rawValue)]).increment()
        Counter(label: "cryptoviz_collector_stream_gap_trades_total",
                dimensions: [("provider", provider.rawValue), ("outcome", "filled")]).increment(by: filled)
        Counter(label: "cryptoviz_collector_stream_gap_trades_total",
                dimensions: [("provider", provider.rawValue), ("outcome", "unfilled")]).increment(by: unfilled)
    }

    /// A hole in a venue's message sequence numbers, and the messages it skipped.
    static func streamSequenceGap(_ provider: ProviderID, missed: Int) {
        Counter(label: "cryptoviz_collector_stream_sequence_gaps_total", dimensions: [("provider", provider.rawValue)]).increment()
        Counter(label: "cryptoviz_collector_stream_messages_missed_total",
                dimensions: [("provider", provider.rawValue)]).increment(by: missed)
    }

    /// Connections open now (two during a rotation's overlap; 0 while reconnecting).
    static func streamOpenConnections(_ provider: ProviderID, _ count: Int) {
        Gauge(label: "cryptoviz_collector_stream_open_connections", dimensions: [("provider", provider.rawValue)]).record(count)
    }

    /// When the last frame arrived, Unix seconds: `time() - this` is the last message's age, which
    /// stays true while nothing arrives (a gauge of the age itself would freeze with the stream).
    static func streamLastMessage(_ provider: ProviderID, millis: Int64) {
        Gauge(label: "cryptoviz_collector_stream_last_message_timestamp_seconds",
              dimensions: [("provider", provider.rawValue)]).record(Double(millis) / 1000)
    }
}
