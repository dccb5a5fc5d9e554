/// A technical indicator the API computes over an asset's candles, as a request names it:
/// `sma:20`, `ema:12`, `bollinger:20:2`, `rsi:14`, `vwap`, `volatility:30`.
///
/// Definitions (each matches its pandas form, which the tests check to 1e-9):
/// - `sma:n`: mean of the last n closes (`close.rolling(n).mean()`).
/// - `ema:n`: α = 2/(n+1), started at the first close (`close.ewm(span=n, adjust=False)`).
/// - `bollinger:n:k`: the n-close mean ± k population standard deviations of those closes
///   (`rolling(n).std(ddof=0)`, Bollinger's own definition).
/// - `rsi:n`: Wilder's relative strength index: gains and losses of close-to-close changes
///   smoothed with α = 1/n (`ewm(alpha=1/n, adjust=False, min_periods=n)`), 100 when there
///   is no loss, absent when there is neither.
/// - `vwap`: the window's cumulative Σ(typical price × volume) / Σ volume, typical price
///   (high + low + close) / 3; candles without a volume add nothing; absent before the
///   first volume.
/// - `volatility:n`: realised volatility, the sample standard deviation (ddof 1) of the last
///   n log returns, annualised by √(bars in 365 days).
/// Candles are taken as they come: a missing bucket is not filled.
enum Indicator: Hashable, Sendable {
    case sma(Int)
    case ema(Int)
    case bollinger(Int, Double)
    case rsi(Int)
    case vwap
    case volatility(Int)

    /// Longest window accepted, in candles.
    static let maxPeriod = 1_000
    static let defaults: [Indicator] = [.sma(20), .ema(20), .bollinger(20, 2), .rsi(14), .vwap, .volatility(20)]

    /// Parses `name[:param[:param]]`; the error says what is wrong.
    init(parsing text: String) throws(IndicatorError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func period(_ index: Int) throws(IndicatorError) -> Int {
            guard parts.count > index, let n = Int(parts[index]), n >= 1, n <= Self.maxPeriod else {
                throw IndicatorError("'\(text)': the period must be a whole number from 1 to \(Self.maxPeriod)")
            }
            return n
        }
        func arity(_ count: Int) throws(IndicatorError) {
            guard parts.count == count else { throw IndicatorError("'\(text)': \(parts[0]) takes \(count - 1) parameter(s)") }
        }
        switch parts[0] {
        case "sma": try arity(2); self = .sma(try period(1))
        case "ema": try arity(2); self = .ema(try period(1))
        case "rsi":
            try arity(2)
            let n = try period(1)
            guard n >= 2 else { throw IndicatorError("'\(text)': rsi needs a period of at least 2") }
            self = .rsi(n)
        case "volatility":
            try arity(2)
            let n = try period(1)
            guard n >= 2 else { throw IndicatorError("'\(text)': volatility needs at least 2 returns") }
            self = .volatility(n)
        case "vwap": try arity(1); self = .vwap
        case "bollinger":
            try arity(3)
            let n = try period(1)
            guard let k = Double(parts[2]), k.isFinite, k > 0, k <= 10 else {
                throw IndicatorError("'\(text)': the width must be a number of deviations above 0, at most 10")
            }
            self = .bollinger(n, k)
        default:
            throw IndicatorError("'\(text)': unknown indicator (sma, ema, bollinger, rsi, vwap, volatility)")
        }
    }

    /// How the request names it, parameters in canonical form.
    var key: String {
        switch self {
        case .sma(let n): "sma:\(n)"
        case .ema(let n): "ema:\(n)"
        case .bollinger(let n, let k): "bollinger:\(n):\(k.formatted())"
        case .rsi(let n): "rsi:\(n)"
        case .vwap: "vwap"
        case .volatility(let n): "volatility:\(n)"
        }
    }

    /// Candles before the first output a value needs (fetched ahead of the range as warm-up).
    var lookback: Int {
        switch self {
        case .sma(let n), .bollinger(let n, _): n - 1
        // EMA and RSI smooth over everything before: 4 periods bring the start-up weight under 2 %.
        case .ema(let n), .rsi(let n): 4 * n
        case .volatility(let n): n
        case .vwap: 0
        }
    }
}

extension Double {
    /// `2` for 2.0, `2.5` for 2.5: parameters as a person writes them.
    fileprivate func formatted() -> String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}

/// A request for an indicator the API cannot compute.
struct IndicatorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
