import CryptoVizCore
import Foundation

/// CoinGecko `GET /coins/{id}/market_chart/range` as a `HistorySource`.
///
/// Docs: docs.coingecko.com ("Coin Historical Chart Data within Time Range by ID"): `prices`,
/// `market_caps`, `total_volumes` as `[ms, value]`; granularity is automatic — within one day
/// of now 5-minutely, up to 90 days hourly, beyond daily — and cannot be chosen on the public
/// tier. So this source asks for windows shaped to get the requested spacing (hourly: windows
/// of 2–90 days; daily: more than 90 days) and refuses a response with another spacing.
///
/// A point is a price sample, not a traded bar: open = high = low = close = the price;
/// `total_volumes` is a rolling 24-hour volume, so the bar's quote volume is that volume
/// pro-rated to the bar's width (documented estimate) and the base volume that divided by the
/// price; there is no trade count.
public struct CoinGeckoRangeClient: HistorySource {
    public let provider: ProviderID = .coinGecko
    public let baseURL: String
    public let key: CoinGeckoProvider.Key?
    public let transport: ProviderTransport

    static let day: Int64 = 86_400_000

    public init(baseURL: String, key: CoinGeckoProvider.Key?, transport: ProviderTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
        self.transport = transport
    }

    /// The bar widths CoinGecko can give for a range ending at `until` (ms), given now.
    public static func supportedIntervals(fromMillis: Int64, nowMillis: Int64) -> [Int64] {
        nowMillis - fromMillis <= day ? [300_000, 3_600_000, day] : [3_600_000, day]
    }

    public func page(_ series: HistorySeries, fromMillis: Int64, untilMillis: Int64) async throws -> HistoryPage {
        let width = series.intervalMillis
        let now = currentUnixMillis()
        let windowEnd: Int64, requestFrom: Int64
        switch width {
        case 300_000:
            guard now - fromMillis <= Self.day else {
                throw CollectorError(provider: provider, code: .requestRejected,
                                     "CoinGecko gives 5-minute points only within one day of now")
            }
            windowEnd = untilMillis
            requestFrom = fromMillis
        case 3_600_000:
            windowEnd = min(untilMillis, fromMillis + 90 * Self.day)
            requestFrom = min(fromMillis, windowEnd - 2 * Self.day)
        case Self.day:
            windowEnd = min(untilMillis, fromMillis + 365 * Self.day)
            requestFrom = min(fromMillis, windowEnd - 91 * Self.day)
        default:
            throw CollectorError(provider: provider, code: .requestRejected, "CoinGecko has no \(width) ms granularity")
        }
        guard fromMillis < windowEnd else { return HistoryPage(bars: [], next: nil) }
        let points = try await range(id: series.symbol, fromSeconds: requestFrom / 1000, toSeconds: (windowEnd - 1) / 1000)
        var bars: [HistoryBar] = []
        for (n, point) in points.enumerated() {
            if n > 0, point.time - points[n - 1].time != width {
                throw CollectorError(provider: provider, code: .malformedBody,
                                     "expected points every \(width / 60_000) min, got \((point.time - points[n - 1].time) / 60_000) min")
            }
            guard point.time >= fromMillis, point.time < windowEnd else { continue }
            let quoteVolume = (point.volume ?? 0) * Double(width) / Double(Self.day)
            bars.append(HistoryBar(openTimeMillis: point.time, closeTimeMillis: point.time + width - 1,
                                   open: point.price, high: point.price, low: point.price, close: point.price,
                                   baseVolume: quoteVolume / point.price, quoteVolume: quoteVolume,
                                   tradeCount: nil, marketCap: point.marketCap))
        }
        return HistoryPage(bars: bars, next: windowEnd < untilMillis ? windowEnd : nil)
    }

    /// One chart point: time, price, and the market cap and rolling volume at that time.
    public struct Point: Sendable, Hashable {
        public var time: Int64
        public var price: Double
        public var marketCap: Double?
        public var volume: Double?
    }

    /// One request for `id` between two Unix-second times, in USD.
    public func range(id: String, fromSeconds: Int64, toSeconds: Int64) async throws -> [Point] {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?"))) ?? id
        let url = "\(baseURL)/coins/\(encoded)/market_chart/range?vs_currency=usd&from=\(fromSeconds)&to=\(toSeconds)"
        var headers: [(String, String)] = []
        switch key {
        case .demo(let value)?: headers.append(("x-cg-demo-api-key", value))
        case .pro(let value)?: headers.append(("x-cg-pro-api-key", value))
        case nil: break
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await transport.get(url, headers: headers) { reply in try Self.interpret(reply, id: id) }
            } catch let error as CollectorError where error.code == .malformedBody && attempt < BinanceKlineClient.malformedPageAttempts {
                transport.logger.warning("malformed chart page; fetching it again",
                                         metadata: ["provider": "coingecko", "id": "\(id)", "error": "\(error.message)"])
            }
        }
    }

    public static func interpret(_ reply: HTTPReply, id: String) throws -> [Point] {
        switch reply.status {
        case 404: throw CollectorError(provider: .coinGecko, code: .requestRejected, "coin '\(id)' not found")
        case 401 where String(decoding: reply.body, as: UTF8.self).contains("10012"):
            throw CollectorError(provider: .coinGecko, code: .requestRejected,
                                 "the range for '\(id)' is older than this plan's history allows (error 10012)")
        default: break
        }
        if let error = reply.statusError(provider: .coinGecko) { throw error }
        return try parse(reply.body)
    }

    /// Parses `{"prices":[[ms,v]…],"market_caps":[…],"total_volumes":[…]}`; the three series
    /// must share their timestamps, prices must be positive, times ascending.
    public static func parse(_ body: [UInt8]) throws -> [Point] {
        let document = try ProviderJSON.document(body, provider: .coinGecko)
        func fail(_ message: String) -> CollectorError {
            CollectorError(provider: .coinGecko, code: .malformedBody, "market_chart: \(message)")
        }
        func series(_ name: String, required: Bool) throws -> [(Int64, Double?)]? {
            guard let value = document[name], value != .null else {
                if required { throw fail("missing '\(name)'") }
                return nil
            }
            guard case .array(let items) = value else { throw fail("'\(name)' is \(value.typeName), expected an array") }
            return try items.enumerated().map { n, item in
                guard case .array(let pair) = item, pair.count == 2 else { throw fail("\(name)[\(n)] is not a [time, value] pair") }
                let time: Int64
                switch pair[0] {
                case .int(let t): time = t
                case .double(let t) where t.rounded() == t && abs(t) < 9e15: time = Int64(t)
                default: throw fail("\(name)[\(n)] time is \(pair[0].typeName), expected an integer")
                }
                switch pair[1] {
                case .null: return (time, nil)
                case .int(let v): return (time, Double(v))
                case .double(let v) where v.isFinite: return (time, v)
                default: throw fail("\(name)[\(n)] value is \(pair[1].typeName), expected a number")
                }
            }
        }
        let prices = try series("prices", required: true) ?? []
        let caps = try series("market_caps", required: false)
        let volumes = try series("total_volumes", required: false)
        if let caps, caps.count != prices.count { throw fail("\(caps.count) market caps for \(prices.count) prices") }
        if let volumes, volumes.count != prices.count { throw fail("\(volumes.count) volumes for \(prices.count) prices") }
        var points: [Point] = []
        points.reserveCapacity(prices.count)
        for (n, (time, price)) in prices.enumerated() {
            guard let price, price > 0 else { throw fail("prices[\(n)] is not a positive number") }
            if let last = points.last, time <= last.time { throw fail("prices[\(n)] time \(time) not after \(last.time)") }
            if let caps, caps[n].0 != time { throw fail("market_caps[\(n)] time differs from the price's") }
            if let volumes, volumes[n].0 != time { throw fail("total_volumes[\(n)] time differs from the price's") }
            points.append(Point(time: time, price: price, marketCap: caps?[n].1, volume: volumes?[n].1))
        }
        return points
    }
}
