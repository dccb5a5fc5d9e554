import Lakehouse

extension InProcessBus.Configuration {
    /// A configuration whose raw-data offsets continue after the txn versions `lake` (and the
    /// trades table, which may be ahead of it) holds for `group`, so that a restarted process
    /// never numbers a new message at an offset its processor would skip as already committed.
    public static func continuing(from lake: any LakeWriter, trades: TradeTable? = nil, group: String) async throws -> Self {
        var configuration = Self()
        for p in 0..<BusTopics.defaultPartitions {
            let partition = BusPartition(topic: BusTopics.rawData, partition: Int32(p))
            let ticks = try await lake.transactionVersion(appId: StreamProcessor.appID(group: group, partition: partition))
            let tradesVersion = try await trades?.transactionVersion(appId: StreamTradeWriter.appID(group: group, partition: partition))
            if let version = [ticks, tradesVersion].compactMap({ $0 }).max() {
                configuration.startOffsets[partition] = version + 1
            }
        }
        return configuration
    }
}
