/// UTF-8 strings laid end to end in one buffer, as Arrow lays a string column: value `i` is
/// `bytes[offsets[i]..<offsets[i + 1]]`.
///
/// A `[String]` holds every string longer than 15 bytes in its own heap object, which a column
/// of unique values (event ids) pays for at every step: an allocation per value when read, a
/// retain per value when gathered or sliced, a release and a free per value when dropped.
/// Compaction reads such columns into this form and writes them from it.
public struct ByteStrings: Sendable, Equatable {
    public private(set) var offsets: [Int]
    public private(set) var bytes: [UInt8]

    public init() {
        offsets = [0]
        bytes = []
    }

    public init(_ strings: some Sequence<String>) {
        self.init()
        for s in strings { append(s) }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserve(values: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(values + 1)
        bytes.reserveCapacity(byteCount)
    }

    public mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { append($0) }
    }

    public mutating func appendEmpty() {
        offsets.append(bytes.count)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
    }

    /// Calls `body` with value `i`'s bytes (valid only inside).
    public func withValue<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[offsets[i]..<offsets[i + 1]])) }
    }

    /// Value `i` as a `String`.
    public func string(at i: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[i]..<offsets[i + 1]]), as: UTF8.self) }
    }

    /// Every value as a `String`.
    public func strings() -> [String] {
        bytes.withUnsafeBufferPointer { b in
            (0..<count).map { String(decoding: UnsafeBufferPointer(rebasing: b[offsets[$0]..<offsets[$0 + 1]]), as: UTF8.self) }
        }
    }

    /// Calls `body` with the buffer of every value in turn (the buffers are valid only inside).
    public func forEach(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { b in
            try offsets.withUnsafeBufferPointer { o in
                for i in 0..<(o.count - 1) { try body(i, UnsafeBufferPointer(rebasing: b[o[i]..<o[i + 1]])) }
            }
        }
    }

    /// Values `range` as a buffer of their own.
    public func slice(_ range: Range<Int>) -> ByteStrings {
        let base = offsets[range.lowerBound]
        var out = ByteStrings()
        out.bytes = Array(bytes[base..<offsets[range.upperBound]])
        out.offsets = offsets[range.lowerBound...range.upperBound].map { $0 - base }
        return out
    }

    /// The parts end to end.
    public static func joined(_ parts: [ByteStrings]) -> ByteStrings {
        if parts.count == 1 { return parts[0] }
        var out = ByteStrings()
        out.reserve(values: parts.reduce(0) { $0 + $1.count }, bytes: parts.reduce(0) { $0 + $1.bytes.count })
        for part in parts {
            let base = out.bytes.count
            out.bytes.append(contentsOf: part.bytes)
            out.offsets.append(contentsOf: part.offsets.dropFirst().lazy.map { $0 + base })
        }
        return out
    }

    /// `count` values picked from `parts`: value `i` is value `row(i).row` of part `row(i).part`.
    /// The parts are first joined (one bulk copy), so each pick reads through plain pointers.
    public static func gathered(_ parts: [ByteStrings], count: Int, row: (Int) -> (part: Int, row: Int)) -> ByteStrings {
        let all = joined(parts)
        var firstValue: [Int] = []
        var n = 0
        for part in parts {
            firstValue.append(n)
            n += part.count
        }
        return all.offsets.withUnsafeBufferPointer { offsets in
            all.bytes.withUnsafeBufferPointer { bytes in
                var picks = [Int](repeating: 0, count: count)
                var total = 0
                for i in 0..<count {
                    let (p, r) = row(i)
                    let j = firstValue[p] + r
                    picks[i] = j
                    total += offsets[j + 1] - offsets[j]
                }
                var out = ByteStrings()
                out.offsets = [Int](unsafeUninitializedCapacity: count + 1) { o, filled in
                    o[0] = 0
                    var at = 0
                    for i in 0..<count {
                        let j = picks[i]
                        at += offsets[j + 1] - offsets[j]
                        o[i + 1] = at
                    }
                    filled = count + 1
                }
                out.bytes = [UInt8](unsafeUninitializedCapacity: total) { b, filled in
                    var at = 0
                    for j in picks {
                        let (lo, hi) = (offsets[j], offsets[j + 1])
                        if hi > lo {
                            (b.baseAddress! + at).initialize(from: bytes.baseAddress! + lo, count: hi - lo)
                            at += hi - lo
                        }
                    }
                    filled = total
                }
                return out
            }
        }
    }
}
