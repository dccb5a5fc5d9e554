import CryptoVizCore
import Foundation

/// Binance spot `GET /api/v3/klines`, paged within the documented limits, as a `HistorySource`.
///
/// Docs: developers.binance.com/docs/binance-spot-api-docs/rest-api ("Kline/Candlestick data":
/// weight 2, `limit` ≤ 1000, klines with open time ≥ `startTime`; "LIMITS": the
/// `X-MBX-USED-WEIGHT-1M` header, 429 with `Retry-After`, 418 for ignoring it). Requests go
/// through the provider's `ProviderTransport`, so they share its rate limiter, retries and
/// back-off with every other Binance request of the process.
public struct BinanceKlineClient: HistorySource {
    public static let weight = 2
    public static let maxLimit = 1000
    /// Attempts for a page whose body is cut or malformed (a transient fault on the real API:
    /// a truncated page is fetched again, never half-written).
    public static let malformedPageAttempts = 4

    public let provider: ProviderID = .binance
    public let baseURL: String
    public let transport: ProviderTransport

    public init(baseURL: String, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
    }

    /// Binance's name of a bar width.
    public static func intervalName(millis: Int64) -> String? {
        switch millis {
        case 60_000: "1m"
        case 300_000: "5m"
        case 900_000: "15m"
        case 3_600_000: "1h"
        case 14_400_000: "4h"
        case 86_400_000: "1d"
        default: nil
        }
    }

    public func page(_ series: HistorySeries, fromMillis: Int64, untilMillis: Int64) async throws -> HistoryPage {
        guard let interval = Self.intervalName(millis: series.intervalMillis) else {
            throw CollectorError(provider: provider, code: .requestRejected, "Binance has no \(series.intervalMillis) ms kline interval")
        }
        guard fromMillis < untilMillis else { return HistoryPage(bars: [], next: nil) }
        let bars = try await klines(symbol: series.symbol, interval: interval, startTime: fromMillis,
                                    endTime: untilMillis - 1, limit: Self.maxLimit)
        for bar in bars where bar.openTimeMillis < fromMillis || bar.openTimeMillis >= untilMillis {
            throw CollectorError(provider: provider, code: .malformedBody,
                                 "kline open time \(bar.openTimeMillis) outside the asked range \(fromMillis)..<\(untilMillis)")
        }
        guard bars.count == Self.maxLimit, let last = bars.last, last.openTimeMillis + series.intervalMillis < untilMillis else {
            return HistoryPage(bars: bars, next: nil)
        }
        return HistoryPage(bars: bars, next: last.openTimeMillis + series.intervalMillis)
    }

    /// One request: klines of `symbol` with open time in [startTime, endTime], at most `limit`.
    public func klines(symbol: String, interval: String, startTime: Int64, endTime: Int64, limit: Int) async throws -> [HistoryBar] {
        let encoded = symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? symbol
        let url = "\(baseURL)/api/v3/klines?symbol=\(encoded)&interval=\(interval)&startTime=\(startTime)&endTime=\(endTime)&limit=\(min(limit, Self.maxLimit))"
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (bars, used) = try await transport.get(url, weight: Self.weight) { reply in
                    (try Self.interpret(reply, symbol: symbol), reply.headers["x-mbx-used-weight-1m"].flatMap { Int($0) })
                }
                if let used { await slowDown(usedWeight: used) }
                return bars
            } catch let error as CollectorError where error.code == .malformedBody && attempt < Self.malformedPageAttempts {
                transport.logger.warning("malformed kline page; fetching it again", metadata: [
                    "provider": "binance", "symbol": "\(symbol)", "start_time": "\(startTime)", "error": "\(error.message)",
                ])
            }
        }
    }

    /// The server's count covers every client on this address: when it nears the limit, hold
    /// the shared limiter a moment so the window drains instead of running into a 429.
    private func slowDown(usedWeight: Int) async {
        let capacity = transport.limiter.limit.capacity
        let headroom = max(Self.weight * 16, capacity / 50)
        guard usedWeight + headroom > capacity else { return }
        await transport.limiter.pause(for: .milliseconds(500))
        transport.logger.debug("Binance used weight near the limit; pausing briefly",
                               metadata: ["provider": "binance", "used_weight": "\(usedWeight)"])
    }

    /// Status first (400 carries Binance's `{"code","msg"}`), then the strict kline parser.
    public static func interpret(_ reply: HTTPReply, symbol: String) throws -> [HistoryBar] {
        if reply.status == 400 {
            var detail = "HTTP 400"
            if case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(reply.body)),
               case .string(let message)? = object["msg"] {
                let code: String = if case .int(let c)? = object["code"] { " \(c)" } else { "" }
                detail = "Binance\(code): \(message)"
            }
            throw CollectorError(provider: .binance, code: .requestRejected, "\(detail) (symbol \(symbol))")
        }
        if let error = reply.statusError(provider: .binance) { throw error }
        return try KlineParser.parse(reply.body)
    }
}
