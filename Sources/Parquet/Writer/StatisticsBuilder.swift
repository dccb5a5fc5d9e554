/// Computes column-chunk statistics in the type-defined order (Parquet spec: "Statistics",
/// parquet.thrift `ColumnOrder`): NaN never becomes min or max, a zero min is written as -0.0
/// and a zero max as +0.0, byte arrays compare as unsigned bytes.
enum StatisticsBuilder {
    /// Statistics of `values` where `validity` says; `nullCount` overrides the count of nulls
    /// (for a dictionary's entries standing for a column's non-null values).
    static func build(
        _ values: ColumnValues, validity: [Bool]?, nullCount: Int? = nil, type: ParquetType, column: String
    ) throws -> (ColumnStatistics, StatisticsFormat) {
        var nulls = nullCount ?? 0
        if nullCount == nil, let validity { for v in validity where !v { nulls += 1 } }
        var stats = ColumnStatistics(nullCount: Int64(nulls), min: nil, max: nil)
        var format = StatisticsFormat()
        format.nullCount = Int64(nulls)
        switch values {
        case .boolean(let v):
            var sawFalse = false
            var sawTrue = false
            for i in v.indices where validity?[i] ?? true {
                if v[i] { sawTrue = true } else { sawFalse = true }
            }
            if sawFalse || sawTrue {
                stats.min = .boolean(!sawFalse)
                stats.max = .boolean(sawTrue)
                format.minValue = ArraySlice([sawFalse ? 0 : 1])
                format.maxValue = ArraySlice([sawTrue ? 1 : 0])
            }
        case .int32(let v):
            if let (lo, hi) = fixedRange(v, validity: validity) {
                switch type {
                case .int8 where lo < -128 || hi > 127,
                     .int16 where lo < -32768 || hi > 32767:
                    throw ParquetError("column \(column): values \(lo)...\(hi) do not fit in \(type)")
                default: break
                }
                stats.min = .int32(lo)
                stats.max = .int32(hi)
                format.minValue = ArraySlice(raw(lo))
                format.maxValue = ArraySlice(raw(hi))
            }
        case .int64(let v):
            if let (lo, hi) = fixedRange(v, validity: validity) {
                stats.min = .int64(lo)
                stats.max = .int64(hi)
                format.minValue = ArraySlice(raw(lo))
                format.maxValue = ArraySlice(raw(hi))
            }
        case .float(let v):
            if var (lo, hi) = fixedRange(v, validity: validity) {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                stats.min = .float(lo)
                stats.max = .float(hi)
                format.minValue = ArraySlice(raw(lo))
                format.maxValue = ArraySlice(raw(hi))
            }
        case .double(let v):
            if var (lo, hi) = fixedRange(v, validity: validity) {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                stats.min = .double(lo)
                stats.max = .double(hi)
                format.minValue = ArraySlice(raw(lo))
                format.maxValue = ArraySlice(raw(hi))
            }
        case .string(let v):
            if let (lo, hi) = stringRange(v, validity: validity) {
                stats.min = .string(v[lo])
                stats.max = .string(v[hi])
                format.minValue = ArraySlice(Array(v[lo].utf8))
                format.maxValue = ArraySlice(Array(v[hi].utf8))
            }
        case .utf8(let v):
            if let (lo, hi) = utf8Range(v, validity: validity) {
                let (low, high) = (v.string(at: lo), v.string(at: hi))
                stats.min = .string(low)
                stats.max = .string(high)
                format.minValue = ArraySlice(Array(low.utf8))
                format.maxValue = ArraySlice(Array(high.utf8))
            }
        case .binary(let v):
            var lo: Int?
            var hi: Int?
            for i in v.indices where validity?[i] ?? true {
                if let l = lo {
                    if ByteOrder.compare(v[i], v[l]) < 0 { lo = i }
                    if ByteOrder.compare(v[i], v[hi!]) > 0 { hi = i }
                } else {
                    lo = i
                    hi = i
                }
            }
            if let lo, let hi {
                stats.min = .binary(v[lo])
                stats.max = .binary(v[hi])
                format.minValue = ArraySlice(v[lo])
                format.maxValue = ArraySlice(v[hi])
            }
        }
        return (stats, format)
    }

    /// The indices of the least and greatest strings in byte order. Each value is first
    /// compared by its first 8 bytes (big-endian, zero-padded) and length, which settles almost
    /// every row without a full comparison.
    private static func stringRange(_ v: [String], validity: [Bool]?) -> (Int, Int)? {
        var lo = -1
        var hi = -1
        var loKey = Prefix(key: 0, count: 0)
        var hiKey = loKey
        for i in v.indices where validity?[i] ?? true {
            let key = StringBytes.with(v[i]) { Prefix($0) }
            if lo < 0 {
                (lo, hi, loKey, hiKey) = (i, i, key, key)
                continue
            }
            if key.key > loKey.key && key.key < hiKey.key { continue }
            if key.key < loKey.key || (key.key == loKey.key && !key.sameShort(loKey) && ByteOrder.compareStrings(v[i], v[lo]) < 0) {
                lo = i
                loKey = key
            }
            if key.key > hiKey.key || (key.key == hiKey.key && !key.sameShort(hiKey) && ByteOrder.compareStrings(v[i], v[hi]) > 0) {
                hi = i
                hiKey = key
            }
        }
        return lo < 0 ? nil : (lo, hi)
    }

    /// `stringRange` for strings in one buffer: the same prefix test, then `memcmp`.
    private static func utf8Range(_ v: ByteStrings, validity: [Bool]?) -> (Int, Int)? {
        v.bytes.withUnsafeBufferPointer { bytes in
            v.offsets.withUnsafeBufferPointer { offsets in
                func value(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]]) }
                var lo = -1
                var hi = -1
                var loKey = Prefix(key: 0, count: 0)
                var hiKey = loKey
                for i in 0..<v.count where validity?[i] ?? true {
                    let bytes = value(i)
                    let key = Prefix(bytes)
                    if lo < 0 {
                        (lo, hi, loKey, hiKey) = (i, i, key, key)
                        continue
                    }
                    if key.key > loKey.key && key.key < hiKey.key { continue }
                    if key.key < loKey.key || (key.key == loKey.key && !key.sameShort(loKey) && ByteOrder.compareBytes(bytes, value(lo)) < 0) {
                        lo = i
                        loKey = key
                    }
                    if key.key > hiKey.key || (key.key == hiKey.key && !key.sameShort(hiKey) && ByteOrder.compareBytes(bytes, value(hi)) > 0) {
                        hi = i
                        hiKey = key
                    }
                }
                return lo < 0 ? nil : (lo, hi)
            }
        }
    }

    /// A byte string's first 8 bytes as a big-endian integer (zero-padded) and its length:
    /// a smaller key means a smaller string; equal keys and equal lengths of at most 8 bytes
    /// mean equal strings.
    private struct Prefix {
        var key: UInt64
        var count: Int

        init(key: UInt64, count: Int) {
            self.key = key
            self.count = count
        }

        @inline(__always) init(_ bytes: UnsafeBufferPointer<UInt8>) {
            count = bytes.count
            if bytes.count >= 8 {
                key = UInt64(bigEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(as: UInt64.self))
            } else {
                var k: UInt64 = 0
                for i in 0..<bytes.count { k |= UInt64(bytes[i]) << (56 - 8 * UInt64(i)) }
                key = k
            }
        }

        @inline(__always) func sameShort(_ other: Prefix) -> Bool { count <= 8 && count == other.count }
    }

    private static func fixedRange<T: FixedWidthValue>(_ v: [T], validity: [Bool]?) -> (T, T)? {
        var lo: T?
        var hi: T?
        v.withUnsafeBufferPointer { p in
            if let validity {
                for i in 0..<p.count where validity[i] && !p[i].isNaNValue {
                    let x = p[i]
                    if let l = lo, let h = hi {
                        if x < l { lo = x }
                        if x > h { hi = x }
                    } else {
                        lo = x
                        hi = x
                    }
                }
            } else {
                var i = 0
                while i < p.count && p[i].isNaNValue { i += 1 }
                guard i < p.count else { return }
                var l = p[i]
                var h = p[i]
                while i < p.count {
                    let x = p[i]
                    if x < l { l = x }
                    if x > h { h = x }
                    i += 1
                }
                lo = l
                hi = h
            }
        }
        guard let lo, let hi else { return nil }
        return (lo, hi)
    }

    private static func raw<T: BitwiseCopyable>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v) { Array($0) }
    }
}
