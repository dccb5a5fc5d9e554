import CryptoVizCore

/// Strict, allocation-light parser of Binance kline bodies (`[[openTime, "open", …], …]`).
///
/// A backfill parses millions of klines, so this reads the bytes once instead of building a
/// JSON tree. Strict: every kline needs its first eleven fields with the documented types
/// (times and trade counts as integers, prices and volumes as decimal strings), positive
/// finite prices with low ≤ open, close ≤ high, non-negative volumes, and open times strictly
/// ascending; anything else, a truncated body included, fails the whole page with the kline
/// and field at fault, never a partial page.
public enum KlineParser {
    /// Field names by position, for error messages.
    static let fieldNames = ["open time", "open", "high", "low", "close", "volume", "close time",
                             "quote volume", "trades", "taker buy base volume", "taker buy quote volume", "ignore"]

    public static func parse(_ body: [UInt8], provider: ProviderID = .binance) throws -> [HistoryBar] {
        try body.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, provider: provider)
            return try reader.klines()
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let provider: ProviderID
        var at = 0

        func fail(_ message: String) -> CollectorError {
            CollectorError(provider: provider, code: .malformedBody, "klines: \(message) (body of \(bytes.count) bytes)")
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            skipSpace()
            guard at < bytes.count else { throw fail("body ends where \(what) was expected (truncated?)") }
            guard bytes[at] == byte else { throw fail("expected \(what) at byte \(at)") }
            at += 1
        }

        /// True and consumes it when the next byte is `byte`.
        mutating func peek(_ byte: UInt8) -> Bool {
            skipSpace()
            if at < bytes.count, bytes[at] == byte { at += 1; return true }
            return false
        }

        mutating func klines() throws -> [HistoryBar] {
            var bars: [HistoryBar] = []
            bars.reserveCapacity(bytes.count / 180 + 1)
            try expect(UInt8(ascii: "["), "'[' opening the kline list")
            if peek(UInt8(ascii: "]")) { return try end(bars) }
            repeat {
                let bar = try kline(index: bars.count)
                if let last = bars.last, bar.openTimeMillis <= last.openTimeMillis {
                    throw fail("kline \(bars.count): open time \(bar.openTimeMillis) not after the previous \(last.openTimeMillis)")
                }
                bars.append(bar)
            } while peek(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']' after kline \(bars.count - 1)")
            return try end(bars)
        }

        mutating func end(_ bars: [HistoryBar]) throws -> [HistoryBar] {
            skipSpace()
            guard at == bytes.count else { throw fail("unexpected bytes after the kline list at byte \(at)") }
            return bars
        }

        mutating func kline(index: Int) throws -> HistoryBar {
            try expect(UInt8(ascii: "["), "'[' opening kline \(index)")
            var numbers = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  // open … volume, quote, taker ×2
            var openTime: Int64 = 0, closeTime: Int64 = 0, trades: Int64 = 0
            var field = 0
            while true {
                if field > 0 {
                    if peek(UInt8(ascii: "]")) { break }
                    try expect(UInt8(ascii: ","), "',' or ']' in kline \(index)")
                }
                skipSpace()
                switch field {
                case 0: openTime = try integer(index, field)
                case 6: closeTime = try integer(index, field)
                case 8: trades = try integer(index, field)
                case 1...5: setTuple(&numbers, field - 1, try decimalString(index, field))
                case 7: numbers.5 = try decimalString(index, field)
                case 9: numbers.6 = try decimalString(index, field)
                case 10: numbers.7 = try decimalString(index, field)
                default: try skipValue(index, field)
                }
                field += 1
            }
            guard field >= 11 else { throw fail("kline \(index) has \(field) fields, expected at least 11") }
            let (open, high, low, close, volume, quote, _, _) = numbers
            guard open > 0, high > 0, low > 0, close > 0 else { throw fail("kline \(index): a price is zero") }
            guard low <= min(open, close), high >= max(open, close) else {
                throw fail("kline \(index): low \(low) / high \(high) do not bound open \(open) and close \(close)")
            }
            guard closeTime >= openTime else { throw fail("kline \(index): close time before open time") }
            return HistoryBar(openTimeMillis: openTime, closeTimeMillis: closeTime, open: open, high: high, low: low, close: close,
                              baseVolume: volume, quoteVolume: quote, tradeCount: trades)
        }

        func setTuple(_ t: inout (Double, Double, Double, Double, Double, Double, Double, Double), _ i: Int, _ v: Double) {
            switch i {
            case 0: t.0 = v
            case 1: t.1 = v
            case 2: t.2 = v
            case 3: t.3 = v
            default: t.4 = v
            }
        }

        mutating func integer(_ index: Int, _ field: Int) throws -> Int64 {
            let start = at
            var value: Int64 = 0
            while at < bytes.count, bytes[at] >= 48, bytes[at] <= 57, at - start < 18 {
                value = value * 10 + Int64(bytes[at] - 48)
                at += 1
            }
            guard at > start else { throw fail("kline \(index): \(Self.name(field)) is not an integer") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || (bytes[at] >= 48 && bytes[at] <= 57) {
                throw fail("kline \(index): \(Self.name(field)) is not a whole number in range")
            }
            return value
        }

        /// `"123.456"`: digits with at most one point; the value is the exact decimal rounded once.
        mutating func decimalString(_ index: Int, _ field: Int) throws -> Double {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else {
                throw fail("kline \(index): \(Self.name(field)) is not a decimal string")
            }
            at += 1
            var mantissa: UInt64 = 0, digits = 0, scale = 0, seenPoint = false
            let start = at
            while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
                let b = bytes[at]
                if b >= 48, b <= 57 {
                    if digits < 19 { mantissa = mantissa * 10 + UInt64(b - 48); digits += 1; if seenPoint { scale += 1 } } else if !seenPoint { scale -= 1 }
                } else if b == UInt8(ascii: "."), !seenPoint {
                    seenPoint = true
                } else {
                    throw fail("kline \(index): \(Self.name(field)) has a non-decimal character")
                }
                at += 1
            }
            guard at < bytes.count else { throw fail("kline \(index): \(Self.name(field)) string not closed (truncated?)") }
            guard at > start, digits > 0 else { throw fail("kline \(index): \(Self.name(field)) is empty") }
            at += 1
            var value = Double(mantissa)
            if scale > 0 { value /= Self.powersOfTen[min(scale, 22)] } else if scale < 0 { value *= Self.powersOfTen[min(-scale, 22)] }
            guard value.isFinite else { throw fail("kline \(index): \(Self.name(field)) is out of range") }
            return value
        }

        mutating func skipValue(_ index: Int, _ field: Int) throws {
            if at < bytes.count, bytes[at] == UInt8(ascii: "\"") {
                at += 1
                while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
                    if bytes[at] == UInt8(ascii: "\\") { at += 1 }
                    at += 1
                }
                guard at < bytes.count else { throw fail("kline \(index): field \(field) string not closed (truncated?)") }
                at += 1
                return
            }
            let start = at
            while at < bytes.count, bytes[at] != UInt8(ascii: ","), bytes[at] != UInt8(ascii: "]"),
                bytes[at] != UInt8(ascii: "["), bytes[at] != UInt8(ascii: "{") { at += 1 }
            guard at > start, at < bytes.count, bytes[at] != UInt8(ascii: "["), bytes[at] != UInt8(ascii: "{") else {
                throw fail("kline \(index): field \(field) is not a scalar")
            }
        }

        static func name(_ field: Int) -> String { field < fieldNames.count ? "field \(field) (\(fieldNames[field]))" : "field \(field)" }

        static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }
    }
}
