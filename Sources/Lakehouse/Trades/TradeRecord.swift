import CryptoVizCore

/// A `Trade` as the lake stores it: the trade plus where and when the pipeline saw it (the
/// tick table's `LakeRecord` columns), so every row traces back to one bus message.
public struct TradeRecord: Sendable, Hashable {
    public var trade: Trade
    /// When the collector published it (producer time), Unix ms.
    public var ingestedTimeMillis: Int64
    /// When the stream processor handled it, Unix ms.
    public var processedTimeMillis: Int64
    /// Bus coordinates of the message it came from ("" / -1 when written directly).
    public var busTopic: String
    public var busPartition: Int32
    public var busOffset: Int64

    public init(trade: Trade, ingestedTimeMillis: Int64, processedTimeMillis: Int64, busTopic: String = "",
                busPartition: Int32 = -1, busOffset: Int64 = -1) {
        self.trade = trade
        self.ingestedTimeMillis = ingestedTimeMillis
        self.processedTimeMillis = processedTimeMillis
        self.busTopic = busTopic
        self.busPartition = busPartition
        self.busOffset = busOffset
    }
}
