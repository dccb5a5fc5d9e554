extension InProcessBus.Configuration {
    /// A configuration whose raw-data offsets continue after the txn versions `lake` holds for
    /// `group`, so that a restarted process never numbers a new message at an offset its
    /// processor would skip as already committed.
    public static func continuing(from lake: any LakeWriter, group: String) async throws -> Self {
        var configuration = Self()
        for p in 0..<BusTopics.defaultPartitions {
            let partition = BusPartition(topic: BusTopics.rawData, partition: Int32(p))
            if let version = try await lake.transactionVersion(appId: StreamProcessor.appID(group: group, partition: partition)) {
                configuration.startOffsets[partition] = version + 1
            }
        }
        return configuration
    }
}
