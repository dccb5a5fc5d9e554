/// Binance `/api/v3/klines` bodies, written straight into bytes: a 30-day backfill of 100 pairs
/// is 4.32 M klines (~800 MB of JSON), too much for per-field `String(format:)`.
///
/// Each kline is `[openTime, "open", "high", "low", "close", "volume", closeTime,
/// "quoteVolume", trades, "takerBuyBase", "takerBuyQuote", "0"]` with 8-decimal strings
/// (developers.binance.com/docs/binance-spot-api-docs/rest-api, "Kline/Candlestick data").
enum KlineShape {
    /// Documented request weight of `/api/v3/klines`.
    static let weight = 2
    static let defaultLimit = 500
    static let maxLimit = 1000

    static let invalidSymbol = #"{"code":-1121,"msg":"Invalid symbol."}"#
    static let invalidInterval = #"{"code":-1120,"msg":"Invalid interval."}"#
    static let invalidLimit = #"{"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."}"#
    static func badParameter(_ name: String) -> String {
        #"{"code":-1100,"msg":"Illegal characters found in parameter '"# + name + #"'; legal range is '^[0-9]{1,20}$'."}"#
    }

    /// Interval names Binance accepts that the simulator serves, in minutes.
    static let widths: [String: Int64] = ["1m": 1, "3m": 3, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "2h": 120,
                                          "4h": 240, "6h": 360, "8h": 480, "12h": 720, "1d": 1440]

    /// The body for `bars`; `shortEvery` cuts every n-th kline to its first five fields (the
    /// `missing` fault: a record the client must refuse rather than misread).
    static func body(_ bars: [PriceHistory.Bar], widthMillis: Int64, shortEvery: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bars.count * 190 + 2)
        out.append(UInt8(ascii: "["))
        for (n, bar) in bars.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            appendInteger(bar.openTimeMillis, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.open, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.high, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.low, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.close, to: &out)
            if let shortEvery, n % shortEvery == 0 {
                out.append(UInt8(ascii: "]"))
                continue
            }
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.volume, to: &out)
            out.append(UInt8(ascii: ","))
            appendInteger(bar.openTimeMillis + widthMillis - 1, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.quoteVolume, to: &out)
            out.append(UInt8(ascii: ","))
            appendInteger(Int64(bar.trades), to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.takerBuyVolume, to: &out)
            out.append(UInt8(ascii: ","))
            appendDecimalString(bar.takerBuyQuoteVolume, to: &out)
            out.append(contentsOf: #","0"]"#.utf8)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `"123.45678900"`: 8 fixed decimals, rounded half away from zero; values too large for
    /// 8 decimals in 64 bits keep their integer part only.
    static func appendDecimalString(_ value: Double, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let v = value.isFinite ? max(0, value) : 0
        let scaled = (v * 1e8).rounded()
        if scaled < 9.0e18 {
            let n = UInt64(scaled)
            appendUnsigned(n / 100_000_000, to: &out)
            out.append(UInt8(ascii: "."))
            var frac = n % 100_000_000
            let first = out.count
            for _ in 0..<8 { out.append(48) }
            var i = first + 7
            while frac > 0 { out[i] = 48 + UInt8(frac % 10); frac /= 10; i -= 1 }
        } else {
            appendUnsigned(UInt64(min(v, 1.8e19)), to: &out)
            out.append(contentsOf: ".00000000".utf8)
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude, to: &out)
    }

    static func appendUnsigned(_ value: UInt64, to out: inout [UInt8]) {
        if value == 0 { out.append(48); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while v > 0 { buffer[count] = 48 + UInt8(v % 10); v /= 10; count += 1 }
            var i = count - 1
            while i >= 0 { out.append(buffer[i]); i -= 1 }
        }
    }
}
