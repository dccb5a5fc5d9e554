import Logging
import Pipeline

/// What a stop did with the data the process held: committed, kept for the next start, or lost.
///
/// It is the exit log line (the figures a user or a test adds up across restarts) and decides
/// the exit code: a stop is clean only when nothing was lost.
struct StopReport: Sendable {
    var publisher: TickPublisher.Stats?
    var processor: StreamProcessor.Stats?

    /// Ticks or records that were neither delivered, committed nor kept anywhere.
    var lost: Int { (publisher?.lostAtStop ?? 0) + (processor?.lostAtStop ?? 0) }

    var metadata: Logger.Metadata {
        var m: Logger.Metadata = [:]
        if let publisher {
            m["accepted"] = "\(publisher.accepted)"
            m["published"] = "\(publisher.published)"
            m["spilled_by_publisher"] = "\(publisher.spilled)"
        }
        if let processor {
            m["committed"] = "\(processor.committedRecords)"
            m["spilled_at_stop"] = "\(processor.spilledAtStop)"
            m["left_on_bus"] = "\(processor.leftOnBusAtStop)"
            if let fallback = processor.fallback {
                m["in_fallback_table"] = "\(fallback.fallbackPendingRecords)"
            }
        }
        m["lost"] = "\(lost)"
        return m
    }
}
