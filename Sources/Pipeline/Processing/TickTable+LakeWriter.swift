import Lakehouse

/// The Delta tick table is the processor's lake: its appends carry `txn` actions. Used directly
/// (a local lake) it has no fallback and nothing deferred.
extension TickTable: LakeWriter {
    public func setOwned(_ partitions: Set<BusPartition>) async {}
    public func maintain() async {}
    public func fallbackStats() async -> FailoverLake.Stats? { nil }
}
