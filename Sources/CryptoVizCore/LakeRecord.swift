/// A `Tick` as the lake stores it: the market record plus where and when the pipeline saw it.
///
/// The bus coordinates make every row traceable to one broker message, and they are what the
/// exactly-once commit protocol records (the last offset per topic-partition).
public struct LakeRecord: Sendable, Hashable {
    public var tick: Tick
    /// When the record entered the bus (producer time), Unix ms.
    public var ingestedTimeMillis: Int64
    /// When the stream processor handled it, Unix ms.
    public var processedTimeMillis: Int64
    /// Bus coordinates of the message the record came from ("" / -1 when written directly).
    public var busTopic: String
    public var busPartition: Int32
    public var busOffset: Int64

    public init(
        tick: Tick, ingestedTimeMillis: Int64, processedTimeMillis: Int64,
        busTopic: String = "", busPartition: Int32 = -1, busOffset: Int64 = -1
    ) {
        self.tick = tick
        self.ingestedTimeMillis = ingestedTimeMillis
        self.processedTimeMillis = processedTimeMillis
        self.busTopic = busTopic
        self.busPartition = busPartition
        self.busOffset = busOffset
    }
}
