/// Appends JSON (RFC 8259) to a byte buffer: the bus messages' writer, and the API's for its
/// largest responses.
///
/// Objects and arrays put their separators themselves (`object`, `array`, `member`), so a
/// format is written as the list of its members; keys are literals of the format, written as
/// they are.
public struct JSONByteWriter: Sendable {
    public struct NonFiniteNumber: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var description: String { "\(field) is not a finite number (JSON has no NaN or infinity)" }
    }

    public private(set) var bytes: [UInt8] = []
    /// Whether the next member of the object being written needs a comma before it.
    private var afterMember = false

    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func int(_ value: Int64) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Digits from the right into a fixed buffer; the magnitude as UInt64 so Int64.min works.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// The shortest digits that read back as the same double (Swift's `description`), which
    /// JSON accepts as it is: `1.0`, `-0.0`, `1e-300`, `1e+16`.
    public mutating func double(_ value: Double, field: String) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber(field: field) }
        if let (scaled, decimals) = Self.fixedPoint(value.magnitude) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            writeFixedPoint(scaled, decimals: decimals)
            return
        }
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private static let exactPowersOfTen: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6]

    /// `magnitude` as an integer `scaled` over 10^`decimals`, with the fewest decimals (at most
    /// 6) for which `scaled / 10^decimals` is exactly `magnitude` again: such digits read back
    /// as the same double (a correctly rounded parser and a correctly rounded division agree).
    /// Prices and amounts mostly have a few decimals, and printing them as fixed point skips
    /// the general shortest-digits algorithm (`perf`: 4 % of ingest went to `description`).
    static func fixedPoint(_ magnitude: Double) -> (UInt64, Int)? {
        guard magnitude != 0 else { return nil }  // keeps the sign of -0.0 to `description`
        for decimals in 0..<exactPowersOfTen.count {
            let power = exactPowersOfTen[decimals]
            let scaled = magnitude * power
            guard scaled < 9_007_199_254_740_992 else { return nil }  // 2^53: integers exact below
            if scaled == scaled.rounded(.towardZero) && scaled / power == magnitude {
                return (UInt64(scaled), decimals)
            }
        }
        return nil
    }

    /// `scaled` with a decimal point `decimals` digits from the right (`12.5`, `0.05`, `3.0`).
    private mutating func writeFixedPoint(_ scaled: UInt64, decimals: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var rest = scaled
            var count = 0
            if decimals == 0 {
                digits[23] = UInt8(ascii: "0")
                digits[22] = UInt8(ascii: ".")
                count = 2
            } else {
                for _ in 0..<decimals {
                    digits[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                    count += 1
                }
                digits[23 - count] = UInt8(ascii: ".")
                count += 1
            }
            repeat {
                digits[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(24 - count)...]))
        }
    }

    // MARK: - Objects and arrays

    /// `{`, the members `body` writes, `}`.
    public mutating func object<E: Error>(_ body: (inout JSONByteWriter) throws(E) -> Void) throws(E) {
        bytes.append(UInt8(ascii: "{"))
        let outer = afterMember
        afterMember = false
        try body(&self)
        afterMember = outer
        bytes.append(UInt8(ascii: "}"))
    }

    /// `[`, what `element` writes for each item (an object, say), comma-separated, `]`.
    public mutating func array<S: Sequence, E: Error>(_ items: S, _ element: (inout JSONByteWriter, S.Element) throws(E) -> Void) throws(E) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A member's key (and the comma before it when it is not the first): its value must follow,
    /// written by `object`, `array` or a value function.
    public mutating func key(_ name: StaticString) {
        if afterMember { bytes.append(UInt8(ascii: ",")) }
        afterMember = true
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        raw(value ? "true" : "false")
    }

    /// A number member; a NaN or an infinity is refused, naming the member.
    public mutating func member(_ name: StaticString, _ value: Double) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber(field: name.description) }
        key(name)
        try double(value, field: "")
    }

    /// Absent optionals are left out, as `Codable` leaves them out.
    public mutating func member(_ name: StaticString, _ value: Double?) throws(NonFiniteNumber) {
        guard let value else { return }
        try member(name, value)
    }

    public mutating func member(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        member(name, value)
    }

    /// A string with `"`, `\` and control characters escaped; other characters as UTF-8.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            var start = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                escape(byte)
                start = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
