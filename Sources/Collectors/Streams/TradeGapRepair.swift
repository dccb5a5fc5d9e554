import CryptoVizCore

/// Fetches a venue's recent trades over REST, to fill a hole in a stream's trade ids.
public protocol TradeGapRepair: Sendable {
    /// The venue's most recent trades of `pair` (oldest first), as many as it will give.
    func recentTrades(pair: String) async throws -> [TradeEvent]
}

/// A hole in a pair's trade ids: what was missing, and how much of it REST could fill.
public struct TradeGap: Sendable, Hashable, Codable {
    public var provider: ProviderID
    public var pair: String
    /// First and last missing trade id.
    public var fromID: Int64
    public var toID: Int64
    /// Missing trades recovered from REST.
    public var filled: Int64
    /// Missing trades the venue could no longer give (older than its recent-trades window, or
    /// the repair request failed): a hole in the data, recorded, never invented.
    public var unfilled: Int64
    public var detectedMillis: Int64
    /// Why part of the hole stays open, when it does.
    public var reason: String?

    public var missing: Int64 { toID - fromID + 1 }

    enum CodingKeys: String, CodingKey {
        case provider, pair, filled, unfilled, reason
        case fromID = "from_id"
        case toID = "to_id"
        case detectedMillis = "detected_ms"
    }
}
