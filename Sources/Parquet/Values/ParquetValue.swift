#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A single value, used for statistics (min/max) and predicates; the case follows
/// `ParquetType.storage` (timestamps are `.int64` in the column's unit, dates `.int32` days).
public enum ParquetValue: Sendable, Hashable, CustomStringConvertible {
    case boolean(Bool)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    case string(String)
    case binary([UInt8])

    /// Orders two values of the same case as Parquet's type-defined order does: signed for
    /// integers, numeric for floats, unsigned bytewise for strings and binary, false < true.
    /// Nil when the cases differ or a float is NaN.
    public static func compare(_ a: ParquetValue, _ b: ParquetValue) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.boolean(let x), .boolean(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.int32(let x), .int32(let y)): return cmp(x, y)
        case (.int64(let x), .int64(let y)): return cmp(x, y)
        case (.float(let x), .float(let y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
        case (.double(let x), .double(let y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
        case (.string(let x), .string(let y)): return ByteOrder.compareStrings(x, y)
        case (.binary(let x), .binary(let y)): return ByteOrder.compare(x, y)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .boolean(let v): "\(v)"
        case .int32(let v): "\(v)"
        case .int64(let v): "\(v)"
        case .float(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .binary(let v): "0x" + v.map { String($0, radix: 16) }.joined()
        }
    }
}

/// Unsigned lexicographic byte order, the Parquet order for BYTE_ARRAY statistics.
enum ByteOrder {
    /// Compares the UTF-8 bytes of two strings (not Unicode canonical order, which `<` uses).
    static func compareStrings(_ a: String, _ b: String) -> Int {
        StringBytes.with(a) { x in StringBytes.with(b) { y in compareBytes(x, y) } }
    }

    /// -1, 0 or 1 as `x` sorts before, with or after `y`.
    @inline(__always) static func compareBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        let n = Swift.min(x.count, y.count)
        if n > 0 {
            let c = memcmp(x.baseAddress!, y.baseAddress!, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    static func compare<A: Sequence, B: Sequence>(_ a: A, _ b: B) -> Int where A.Element == UInt8, B.Element == UInt8 {
        var ia = a.makeIterator()
        var ib = b.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }
}
