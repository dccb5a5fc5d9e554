import CryptoVizCore

/// One price of one asset from one source at one time, with the 24 h volume it carried.
public struct PricePoint: Sendable, Hashable {
    public var timeMillis: Int64
    public var source: ProviderID
    public var price: Double
    public var volume24h: Double?

    public init(timeMillis: Int64, source: ProviderID, price: Double, volume24h: Double?) {
        self.timeMillis = timeMillis
        self.source = source
        self.price = price
        self.volume24h = volume24h
    }
}
