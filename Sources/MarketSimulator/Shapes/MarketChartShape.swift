import Foundation

/// CoinGecko `/coins/{id}/market_chart/range` bodies: `prices`, `market_caps` and
/// `total_volumes` as `[ms, value]` pairs (docs.coingecko.com, "Coin Historical Chart Data
/// within Time Range by ID").
///
/// Granularity is automatic, as documented: a range within one day of now is 5-minutely, a
/// range up to 90 days hourly, anything longer daily (00:00 UTC). `total_volumes` is a rolling
/// 24-hour volume at each point, not the volume of the interval.
enum MarketChartShape {
    /// The spacing CoinGecko would use for a range, in minutes.
    static func granularityMinutes(fromMillis: Int64, toMillis: Int64, nowMillis: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        if toMillis - fromMillis <= day, nowMillis - fromMillis <= day { return 5 }
        if toMillis - fromMillis <= 90 * day { return 60 }
        return 1440
    }

    static func body(history: PriceHistory, asset index: Int, fromMillis: Int64, toMillis: Int64, nowMillis: Int64) -> String {
        let step = granularityMinutes(fromMillis: fromMillis, toMillis: toMillis, nowMillis: nowMillis)
        let asset = history.universe.assets[index]
        let lastMinute = min(toMillis, nowMillis) / 60_000
        var minute = PriceHistory.floorDiv(fromMillis / 60_000 + step - 1, step) * step
        minute = max(minute, PriceHistory.floorDiv(history.listing(asset: index) + step - 1, step) * step)
        var prices: [String] = [], caps: [String] = [], volumes: [String] = []
        while minute <= lastMinute {
            let price = PriceHistory.clamp(exp(history.logPrice(asset: index, minute: minute)))
            let cap = price * asset.circulatingSupply
            let rolling = cap * asset.turnover * (0.8 + 0.4 * history.unit(asset: index, key: minute / 60, stream: 9))
            let time = String(minute * 60_000)
            prices.append("[\(time),\(JSONText.number(price))]")
            caps.append("[\(time),\(JSONText.number(cap))]")
            volumes.append("[\(time),\(JSONText.number(rolling))]")
            minute += step
        }
        return #"{"prices":["# + prices.joined(separator: ",") + #"],"market_caps":["# + caps.joined(separator: ",")
            + #"],"total_volumes":["# + volumes.joined(separator: ",") + "]}"
    }

    static let notFound = #"{"error":"coin not found"}"#
    static func missingParameter(_ name: String) -> String { #"{"error":"Missing parameter "# + name + #""}"# }
    static func beyondAllowedRange(days: Int) -> String {
        #"{"error":{"status":{"error_code":10012,"error_message":"Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past "#
            + String(days) + #" days. Upgrade to a paid plan to enjoy full historical data access: https://www.coingecko.com/en/api/pricing. "}}}"#
    }
}
