/// Decides whether a `Tick` is fit for the lake, and says why not.
///
/// The collectors validate once at the edge; the stream processor validates again, because
/// records on a broker may come from another producer or an older version.
public struct TickValidator: Sendable {
    /// Tunable bounds, with defaults that hold for every public provider seen.
    public struct Configuration: Sendable {
        /// How far a source time may lie ahead of the local clock (clock skew between hosts).
        public var maxFutureSkewMillis: Int64 = 5 * 60 * 1000
        /// The oldest source time accepted: 2009-01-03 (Bitcoin's genesis block).
        public var earliestSourceTimeMillis: Int64 = 1_230_940_800_000
        /// The largest market value believed; anything above is a unit or parse error.
        public var maxMonetaryValue: Double = 1e16

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Returns nil when `tick` is acceptable, otherwise the first rule it breaks.
    public func rejection(for tick: Tick, nowMillis: Int64) -> TickRejection? {
        if tick.asset.rawValue.isEmpty { return .missingAssetID }
        if tick.source.rawValue.isEmpty { return .missingSource }
        if !tick.price.isFinite { return .nonFinitePrice }
        if tick.price <= 0 { return .nonPositivePrice }
        if tick.price > configuration.maxMonetaryValue { return .implausibleValue(field: "price") }
        if tick.sourceTimeMillis > nowMillis + configuration.maxFutureSkewMillis { return .futureTimestamp }
        if tick.sourceTimeMillis < configuration.earliestSourceTimeMillis { return .ancientTimestamp }
        for (name, value) in [("market_cap", tick.marketCap), ("volume_24h", tick.volume24h)] {
            guard let value else { continue }
            if !value.isFinite || value < 0 || value > configuration.maxMonetaryValue {
                return .implausibleValue(field: name)
            }
        }
        for (name, value) in [("change_1h", tick.change1h), ("change_24h", tick.change24h), ("change_7d", tick.change7d)] {
            guard let value else { continue }
            // A price cannot fall by more than 100 %.
            if !value.isFinite || value < -100 { return .implausibleValue(field: name) }
        }
        return nil
    }
}

/// Why a record was refused. `kind` is a low-cardinality label for metrics and log summaries.
public enum TickRejection: Sendable, Hashable, CustomStringConvertible, Error {
    case missingAssetID
    case missingSource
    case nonFinitePrice
    case nonPositivePrice
    case futureTimestamp
    case ancientTimestamp
    case implausibleValue(field: String)
    /// A field was present but could not be read (wrong type, bad number or date).
    case unparsableField(field: String, detail: String)
    /// A field the record cannot do without was absent or null.
    case missingField(field: String)

    public var kind: String {
        switch self {
        case .missingAssetID: "missing_asset_id"
        case .missingSource: "missing_source"
        case .nonFinitePrice: "non_finite_price"
        case .nonPositivePrice: "non_positive_price"
        case .futureTimestamp: "future_timestamp"
        case .ancientTimestamp: "ancient_timestamp"
        case .implausibleValue: "implausible_value"
        case .unparsableField: "unparsable_field"
        case .missingField: "missing_field"
        }
    }

    public var description: String {
        switch self {
        case .missingAssetID: "asset id is empty"
        case .missingSource: "source is empty"
        case .nonFinitePrice: "price is not a finite number"
        case .nonPositivePrice: "price is zero or negative"
        case .futureTimestamp: "source timestamp lies too far in the future"
        case .ancientTimestamp: "source timestamp is before 2009-01-03"
        case .implausibleValue(let field): "\(field) is out of range"
        case .unparsableField(let field, let detail): "\(field) could not be parsed: \(detail)"
        case .missingField(let field): "\(field) is missing"
        }
    }
}
