import CryptoVizCore

/// What the stream processor needs from the lake: atomic appends that also record, per input
/// stream, the last bus offset they contain (Delta `txn`), and a way to read those back.
public protocol LakeWriter: Sendable {
    /// Commits `records` and the stream versions in one atomic commit; returns the table version.
    func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64
    /// The last version committed for `appId`, or nil if the stream never committed.
    func transactionVersion(appId: String) async throws -> Int64?
    /// Told after every rebalance which partitions the processor owns now.
    func setOwned(_ partitions: Set<BusPartition>) async
    /// Called between batches: a place for deferred work such as draining a fallback table.
    func maintain() async
    /// The fallback table's figures, when the writer has one.
    func fallbackStats() async -> FailoverLake.Stats?
}
