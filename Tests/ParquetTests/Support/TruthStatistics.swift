import Parquet

/// Min, max and null count computed naively from the data, independent of the writer: NaN is
/// ignored, a zero min is -0.0 and a zero max +0.0, strings compare by UTF-8 bytes.
struct TruthStatistics {
    var nullCount = 0
    var min: ParquetValue?
    var max: ParquetValue?

    init(_ column: ColumnData) {
        var present = [ParquetValue]()
        for i in 0..<column.count {
            guard let v = column.value(at: i) else { nullCount += 1; continue }
            switch v {
            case .float(let f) where f.isNaN: continue
            case .double(let d) where d.isNaN: continue
            default: present.append(v)
            }
        }
        func less(_ a: ParquetValue, _ b: ParquetValue) -> Bool {
            switch (a, b) {
            case (.boolean(let x), .boolean(let y)): return !x && y
            case (.int32(let x), .int32(let y)): return x < y
            case (.int64(let x), .int64(let y)): return x < y
            case (.float(let x), .float(let y)): return x < y
            case (.double(let x), .double(let y)): return x < y
            case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
            case (.binary(let x), .binary(let y)): return x.lexicographicallyPrecedes(y)
            default: return false
            }
        }
        guard var lo = present.first, var hi = present.first else { return }
        for v in present {
            if less(v, lo) { lo = v }
            if less(hi, v) { hi = v }
        }
        switch lo {
        case .double(let d) where d == 0: lo = .double(-0.0)
        case .float(let f) where f == 0: lo = .float(-0.0)
        default: break
        }
        switch hi {
        case .double(let d) where d == 0: hi = .double(0.0)
        case .float(let f) where f == 0: hi = .float(0.0)
        default: break
        }
        min = lo
        max = hi
    }
}
