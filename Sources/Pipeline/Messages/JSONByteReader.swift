/// A forward-only JSON (RFC 8259) reader over bytes, for documents of a known shape.
///
/// It reads exactly what the bus messages need — objects, strings, numbers, and skipping
/// any value it does not want — without building a tree, copying the input or going through
/// `Codable`. Every malformed input is a `JSONByteReader.Failure` with the byte offset, never a
/// crash or an out-of-bounds read; nesting is bounded so hostile input cannot exhaust the stack.
struct JSONByteReader: ~Copyable {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    static let maxDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func fail(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-space byte, not consumed.
    mutating func peek() throws(Failure) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of document") }
        return bytes[position]
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard try peek() == byte else { throw fail("expected '\(Character(UnicodeScalar(byte)))'") }
        position += 1
    }

    /// Only whitespace may follow the document.
    mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard position == bytes.count else { throw fail("data after the document") }
    }

    /// Calls `field` with each key of an object; `field` must read (or skip) the value.
    mutating func readObject(depth: Int = 0, _ field: (inout JSONByteReader, UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyStart = position
            let key = try readRawString()
            try expect(UInt8(ascii: ":"))
            let before = position
            if key.contains(UInt8(ascii: "\\")) {
                // Rare: an escaped key, compared by its decoded bytes.
                let end = position
                position = keyStart
                let decoded = Array(try readString().utf8)
                position = end
                try decoded.withUnsafeBufferPointer { (buffer) throws(Failure) in try field(&self, buffer) }
            } else {
                try field(&self, key)
            }
            guard position > before else { throw fail("value of a key was not read") }
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// The bytes between the quotes of a string without escapes (keys of the tick format), or
    /// of any string when the caller only compares it; escapes are checked, not decoded.
    private mutating func readRawString() throws(Failure) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return slice
            }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte == UInt8(ascii: "\\") { position += 1 }
            position += 1
        }
        throw fail("unterminated string")
    }

    /// A string value, escapes decoded, UTF-8 validated.
    mutating func readString() throws(Failure) -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        position += 1
        let start = position
        // Fast path: no escape, so the bytes are the string.
        var highBits: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                // ASCII (nearly every string here) is valid UTF-8 as it is: `String(validating:)`
                // looked up generic metadata on every call (`perf`: 0.7 % of ingest).
                if highBits < 0x80 { return String(decoding: raw, as: UTF8.self) }
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw Failure(offset: start, reason: "string is not valid UTF-8")
                }
                return text
            }
            highBits |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw Failure(offset: start, reason: "string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw fail("control character in a string")
            default:
                decoded.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readEscape(into out: inout [UInt8]) throws(Failure) {
        guard position < bytes.count else { throw fail("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate in a string")
                }
                position += 2
                let low = try readHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("unpaired surrogate in a string")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
            out.append(contentsOf: Unicode.UTF8.encode(unicode)!)
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid unicode escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// The bytes of a number token, checked against the JSON grammar.
    private mutating func numberToken() throws(Failure) -> (UnsafeBufferPointer<UInt8>, isInteger: Bool) {
        skipWhitespace()
        let start = position
        func digits(_ reader: inout JSONByteReader) -> Int {
            let from = reader.position
            while reader.position < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.position]) {
                reader.position += 1
            }
            return reader.position - from
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw fail("expected a number") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw Failure(offset: intStart, reason: "leading zero in a number") }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            isInteger = false
            guard digits(&self) > 0 else { throw fail("expected digits after '.'") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            isInteger = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw fail("expected digits in the exponent") }
        }
        return (UnsafeBufferPointer(rebasing: bytes[start..<position]), isInteger)
    }

    /// An integer that fits `Int64` (no fraction, no exponent).
    mutating func readInt64() throws(Failure) -> Int64 {
        let start = position
        let (token, isInteger) = try numberToken()
        guard isInteger else { throw Failure(offset: start, reason: "expected an integer") }
        var value: Int64 = 0
        let negative = token[0] == UInt8(ascii: "-")
        for byte in token.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw Failure(offset: start, reason: "integer out of the 64-bit range") }
            value = next
        }
        return value
    }

    /// A finite number as `Double`, correctly rounded.
    mutating func readDouble() throws(Failure) -> Double {
        let start = position
        let (token, _) = try numberToken()
        if let fast = Self.clingerFastPath(token) { return fast }
        // Rare (more than 15 significant digits or a large exponent): the standard library's
        // correctly rounded parser on the token's text.
        guard let text = String(validating: token, as: UTF8.self), let value = Double(text), value.isFinite,
              value != 0 || !Self.hasNonZeroDigit(token) else {
            // Overflow to infinity, or underflow of a non-zero number to zero, as Foundation refuses it.
            throw Failure(offset: start, reason: "number out of the double range")
        }
        return value
    }

    private static func hasNonZeroDigit(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in token {
            if byte | 0x20 == UInt8(ascii: "e") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }

    /// Exact when the digits fit 2^53 and the power of ten is at most 10^22 (both exact
    /// doubles, so one correctly rounded operation gives the correctly rounded result).
    private static func clingerFastPath(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var index = 0
        let negative = token[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var seenDot = false
        while index < token.count {
            let byte = token[index]
            if byte == UInt8(ascii: ".") {
                seenDot = true
            } else if byte | 0x20 == UInt8(ascii: "e") {
                break
            } else {
                if mantissa != 0 || byte != UInt8(ascii: "0") { significant += 1 }
                guard significant <= 15 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                if seenDot { exponent -= 1 }
            }
            index += 1
        }
        if index < token.count {
            index += 1
            var exponentNegative = false
            if token[index] == UInt8(ascii: "+") { index += 1 } else if token[index] == UInt8(ascii: "-") { exponentNegative = true; index += 1 }
            var value = 0
            while index < token.count {
                value = value * 10 + Int(token[index] - UInt8(ascii: "0"))
                guard value < 1_000 else { return nil }
                index += 1
            }
            exponent += exponentNegative ? -value : value
        }
        var result = Double(mantissa)
        if exponent < 0 {
            guard exponent >= -22 else { return mantissa == 0 ? (negative ? -0.0 : 0.0) : nil }
            result /= powersOfTen[-exponent]
        } else if exponent > 0 {
            guard exponent <= 22 else { return mantissa == 0 ? (negative ? -0.0 : 0.0) : nil }
            result *= powersOfTen[exponent]
        }
        return negative ? -result : result
    }

    private static let powersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }

    /// A document that is not UTF-8 is refused even where it is only skipped (as Foundation does).
    static func requireUTF8(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(Failure) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Failure(offset: offset, reason: "text is not valid UTF-8") }
    }

    /// `null` if it is next (consumed), else false.
    mutating func readNull() throws(Failure) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// `true` or `false`.
    mutating func readBool() throws(Failure) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default: throw fail("expected true or false")
        }
    }

    /// Whether a key's bytes spell `name` (a format's keys are literals).
    static func matches(_ name: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.utf8CodeUnitCount == bytes.count else { return false }
        for i in 0..<bytes.count where name.utf8Start[i] != bytes[i] { return false }
        return true
    }

    /// Consumes `text` if the bytes at the position spell it exactly; else moves nothing.
    mutating func skip(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for i in 0..<count where bytes[position + i] != text.utf8Start[i] { return false }
        position += count
        return true
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        guard !skip(word) else { return }
        throw fail(position + word.utf8CodeUnitCount > bytes.count ? "unexpected end of document" : "invalid literal")
    }

    /// Skips any value (an unknown field), checking its syntax.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        switch try peek() {
        case UInt8(ascii: "{"):
            try readObject(depth: depth + 1) { (reader: inout JSONByteReader, _) throws(Failure) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            position += 1
            if try peek() == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                switch try peek() {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return
                default: throw fail("expected ',' or ']'")
                }
            }
        case UInt8(ascii: "\""): try Self.requireUTF8(try readRawString(), at: position)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberToken()
        }
    }
}
