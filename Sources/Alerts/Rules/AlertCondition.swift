/// What a rule watches, with its thresholds. The JSON `type` names the case.
public enum AlertCondition: Sendable, Hashable {
    /// The price rises above `level` (quote currency).
    case priceAbove(level: Double)
    /// The price falls below `level`.
    case priceBelow(level: Double)
    /// The price moves by more than `percent` % against its close `minutes` minutes earlier.
    case change(percent: Double, minutes: Int, direction: ChangeDirection)
    /// The current return over `returnSeconds` (1 minute by default) lies more than `z`
    /// standard deviations from the mean of such returns over the last `windowMinutes` of the
    /// same series.
    case anomaly(z: Double, windowMinutes: Int, returnSeconds: Int = 60)
    /// The sources' latest prices for one asset differ by more than `percent` % of the lowest;
    /// quotes older than `maxQuoteAgeSeconds` do not count.
    case spread(percent: Double, maxQuoteAgeSeconds: Int)
    /// A source has sent no tick (for the rule's assets) for more than `seconds`.
    case staleSource(seconds: Int)
    /// A source's newest row in the lake is more than `seconds` behind (fed by observations).
    case lakeFreshness(seconds: Int)

    /// Which way a `change` rule looks.
    public enum ChangeDirection: String, Sendable, Hashable, Codable {
        case up, down, either
    }

    /// The JSON `type` of each case.
    public var typeName: String {
        switch self {
        case .priceAbove: "price_above"
        case .priceBelow: "price_below"
        case .change: "change"
        case .anomaly: "anomaly"
        case .spread: "spread"
        case .staleSource: "stale_source"
        case .lakeFreshness: "lake_freshness"
        }
    }

    /// The rule types, as spelled in JSON.
    public static let typeNames = ["price_above", "price_below", "change", "anomaly", "spread", "stale_source", "lake_freshness"]

    /// The threshold an alert of this condition reports.
    var threshold: Double {
        switch self {
        case .priceAbove(let level), .priceBelow(let level): level
        case .change(let percent, _, _), .spread(let percent, _): percent
        case .anomaly(let z, _, _): z
        case .staleSource(let seconds), .lakeFreshness(let seconds): Double(seconds)
        }
    }

    /// True for conditions that hold while the measured value is above the threshold.
    var firesAbove: Bool {
        if case .priceBelow = self { return false }
        return true
    }
}
