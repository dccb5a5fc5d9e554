/// The two topics of the pipeline and their defaults.
public enum BusTopics {
    /// The lake path: every accepted tick, consumed by the stream processor's group.
    public static let rawData = "crypto-raw-data"
    /// The live path: the same ticks, read by hot tails for sub-second dashboards.
    public static let streaming = "crypto-streaming"
    /// Partitions per topic when the pipeline creates them.
    public static let defaultPartitions = 3
}
