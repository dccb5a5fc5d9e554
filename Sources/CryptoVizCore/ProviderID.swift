/// The name of a market-data source ("coingecko", "coinmarketcap", "binance", "coinbase", "kraken", ...).
///
/// Open rather than an enum: new providers register under their own name without touching
/// the core, and records from unknown sources still decode.
public struct ProviderID: RawRepresentable, Sendable, Hashable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let coinGecko: ProviderID = "coingecko"
    public static let coinMarketCap: ProviderID = "coinmarketcap"
    public static let binance: ProviderID = "binance"
    /// Coinbase Exchange (api.exchange.coinbase.com), USD-quoted products.
    public static let coinbase: ProviderID = "coinbase"
    /// Kraken spot (api.kraken.com), USD-quoted pairs.
    public static let kraken: ProviderID = "kraken"
}
