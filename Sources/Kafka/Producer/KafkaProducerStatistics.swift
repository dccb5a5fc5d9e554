/// Counters of what a `KafkaProducer` did on the wire, for monitoring and for tests that must
/// prove a failure path really ran (e.g. that a batch was resent after a broker restart).
public struct KafkaProducerStatistics: Sendable, Equatable {
    /// Produce requests written to a connection.
    public var requests = 0
    /// Batches sent for the first time.
    public var batches = 0
    /// Batches sent again after a failed attempt (same bytes and sequence number when idempotent).
    public var retriedBatches = 0
    /// Answers DUPLICATE_SEQUENCE_NUMBER: the broker had already written a retried batch.
    public var duplicateBatches = 0
    /// Times the producer took a new producer id after the broker lost or rejected its state.
    public var producerIDResets = 0
    public var recordsDelivered = 0
    public var recordsFailed = 0
}
