import Parquet

extension FileStatistics {
    /// The Delta statistics of a data file's columns as written (Delta PROTOCOL.md, "Per-file
    /// Statistics"): null counts of all; min/max of strings (but `unbounded` ones), numbers and
    /// timestamps (`isTimestamp`: microseconds of whole milliseconds, shown as ISO text).
    /// String bounds come from the Parquet writer's statistics (same byte order) when given.
    init(columns: [(name: String, data: ColumnData, isTimestamp: Bool)], count: Int, parquet: ParquetFileSummary? = nil,
         unbounded: Set<String> = []) {
        self.init(numRecords: Int64(count))
        guard count > 0 else { return }
        for (name, data, isTimestamp) in columns {
            nullCount[name] = .int(Int64(data.nullCount))
            let present = { (i: Int) in data.validity?[i] ?? true }
            switch data.values {
            case .string where unbounded.contains(name), .utf8 where unbounded.contains(name):
                break
            case .string where parquet?.statistics(of: name)?.min != nil, .utf8 where parquet?.statistics(of: name)?.min != nil:
                if case .string(let lo)? = parquet?.statistics(of: name)?.min, case .string(let hi)? = parquet?.statistics(of: name)?.max {
                    minValues[name] = .string(lo)
                    maxValues[name] = .string(hi)
                }
            case .string, .utf8:
                guard let v = data.values.strings, let first = v.indices.first(where: present) else { break }
                var lo = v[first], hi = v[first]
                for i in v.indices where present(i) {
                    let x = v[i]
                    if x.utf8.lexicographicallyPrecedes(lo.utf8) { lo = x }
                    if hi.utf8.lexicographicallyPrecedes(x.utf8) { hi = x }
                }
                minValues[name] = .string(lo)
                maxValues[name] = .string(hi)
            case .double(let v):
                var lo = Double.infinity, hi = -Double.infinity, nan = false
                for i in v.indices where present(i) {
                    let x = v[i]
                    if x.isNaN { nan = true; continue }
                    lo = min(lo, x)
                    hi = max(hi, x)
                }
                // JSON has no NaN or infinity; an unknown bound is safer than a wrong one.
                if !nan, lo.isFinite, hi.isFinite {
                    minValues[name] = .double(lo)
                    maxValues[name] = .double(hi)
                }
            case .int64(let v):
                let values = data.validity == nil ? v : v.indices.filter(present).map { v[$0] }
                guard let lo = values.min(), let hi = values.max() else { break }
                if isTimestamp {
                    // Stored in microseconds from whole milliseconds: the division is exact.
                    minValues[name] = .string(DeltaTimestamp.isoString(millis: lo / 1000))
                    maxValues[name] = .string(DeltaTimestamp.isoString(millis: hi / 1000))
                } else {
                    minValues[name] = .int(lo)
                    maxValues[name] = .int(hi)
                }
            case .int32(let v):
                let values = data.validity == nil ? v : v.indices.filter(present).map { v[$0] }
                guard let lo = values.min(), let hi = values.max() else { break }
                minValues[name] = .int(Int64(lo))
                maxValues[name] = .int(Int64(hi))
            default:
                break
            }
        }
    }
}
