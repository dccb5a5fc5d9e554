/// Computes column-chunk statistics in the type-defined order (Parquet spec: "Statistics",
/// parquet.thrift `ColumnOrder`): NaN never becomes min or max, a zero min is written as -0.0
/// and a zero max as +0.0, byte arrays compare as unsigned bytes.
enum StatisticsBuilder {
    static func build(
        _ values: ColumnValues, validity: [Bool]?, type: ParquetType, column: String
    ) throws -> (ColumnStatistics, StatisticsFormat) {
        var nulls = 0
        if let validity { for v in validity where !v { nulls += 1 } }
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
                format.minValue = [sawFalse ? 0 : 1]
                format.maxValue = [sawTrue ? 1 : 0]
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
                format.minValue = raw(lo)
                format.maxValue = raw(hi)
            }
        case .int64(let v):
            if let (lo, hi) = fixedRange(v, validity: validity) {
                stats.min = .int64(lo)
                stats.max = .int64(hi)
                format.minValue = raw(lo)
                format.maxValue = raw(hi)
            }
        case .float(let v):
            if var (lo, hi) = fixedRange(v, validity: validity) {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                stats.min = .float(lo)
                stats.max = .float(hi)
                format.minValue = raw(lo)
                format.maxValue = raw(hi)
            }
        case .double(let v):
            if var (lo, hi) = fixedRange(v, validity: validity) {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                stats.min = .double(lo)
                stats.max = .double(hi)
                format.minValue = raw(lo)
                format.maxValue = raw(hi)
            }
        case .string(let v):
            var lo: Int?
            var hi: Int?
            for i in v.indices where validity?[i] ?? true {
                if let l = lo {
                    if ByteOrder.compareStrings(v[i], v[l]) < 0 { lo = i }
                    if ByteOrder.compareStrings(v[i], v[hi!]) > 0 { hi = i }
                } else {
                    lo = i
                    hi = i
                }
            }
            if let lo, let hi {
                stats.min = .string(v[lo])
                stats.max = .string(v[hi])
                format.minValue = Array(v[lo].utf8)
                format.maxValue = Array(v[hi].utf8)
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
                format.minValue = v[lo]
                format.maxValue = v[hi]
            }
        }
        return (stats, format)
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
