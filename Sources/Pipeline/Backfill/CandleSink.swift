import Lakehouse

/// Where a backfill commits candles: the candles table, seen through the two operations a
/// resumable, exactly-once backfill needs.
///
/// `append` commits records and Delta `txn` versions atomically; `transactionVersion` reads a
/// series' last committed version back, which is where a restarted backfill continues.
public protocol CandleSink: Actor {
    /// The last version committed for `appId`, or nil if that series never committed.
    func transactionVersion(appId: String) async throws -> Int64?
    /// Commits `records` and the `transactions` (appId → version) in one atomic commit.
    @discardableResult
    func append(_ records: [CandleRecord], transactions: [String: Int64]) async throws -> Int64
}
