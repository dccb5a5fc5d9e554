import CryptoVizCore

/// How tick files are partitioned into Hive-style folders.
///
/// `.default` (`date=YYYY-MM-DD/source=name/`) keeps a day of one source in a few files with
/// rows sorted by asset then time, so per-asset reads prune by min/max statistics; `.original`
/// (`year=/month=/day=/source=/crypto=`) is the seed design's layout, one folder per coin, kept
/// for comparison (it multiplies small files by the number of assets).
public enum TableLayout: String, Sendable, Hashable, CaseIterable {
    case `default`
    case original

    /// The partition columns, outermost first.
    public var partitionColumns: [String] {
        switch self {
        case .default: ["date", "source"]
        case .original: ["year", "month", "day", "source", "crypto"]
        }
    }

    /// The Delta type of each partition column. `date` is a Delta `date` (serialized
    /// `YYYY-MM-DD`), which delta-rs and DuckDB's delta_scan both return as a DATE.
    var partitionFields: [DeltaSchema.Field] {
        switch self {
        case .default:
            [DeltaSchema.Field(name: "date", type: .date), DeltaSchema.Field(name: "source", type: .string)]
        case .original:
            [DeltaSchema.Field(name: "year", type: .integer), DeltaSchema.Field(name: "month", type: .integer),
             DeltaSchema.Field(name: "day", type: .integer), DeltaSchema.Field(name: "source", type: .string),
             DeltaSchema.Field(name: "crypto", type: .string)]
        }
    }

    /// What decides a record's partition, cheap to hash: its UTC day, source and (for the
    /// original layout) coin.
    struct PartitionKey: Hashable {
        var day: Int64
        var source: ProviderID
        var crypto: AssetID?
    }

    func partitionKey(of tick: Tick) -> PartitionKey {
        let t = tick.sourceTimeMillis
        let day = t >= 0 ? t / 86_400_000 : (t - 86_399_999) / 86_400_000
        return PartitionKey(day: day, source: tick.source, crypto: self == .original ? tick.asset : nil)
    }

    /// The serialized partition values of a record.
    func partitionValues(of tick: Tick) -> [String: String?] {
        let date = CivilDate(unixMillis: tick.sourceTimeMillis)
        switch self {
        case .default:
            return ["date": date.description, "source": tick.source.rawValue]
        case .original:
            return ["year": String(date.year), "month": String(date.month), "day": String(date.day),
                    "source": tick.source.rawValue, "crypto": tick.asset.rawValue]
        }
    }

    /// The layout whose partition columns are `columns`, if any.
    init?(partitionColumns columns: [String]) {
        guard let layout = Self.allCases.first(where: { $0.partitionColumns == columns }) else { return nil }
        self = layout
    }
}

/// False when the file's partition date lies outside `first...last` (either bound optional);
/// true when it is inside or the file has no date partition (it may hold anything).
func partitionDay(of values: [String: String?], within first: CivilDate?, _ last: CivilDate?) -> Bool {
    guard let day = partitionDate(values) else { return true }
    if let first, day < first { return false }
    if let last, last < day { return false }
    return true
}

/// The UTC date a file's partition values place it in, for any layout (nil when unknown).
func partitionDate(_ values: [String: String?]) -> CivilDate? {
    if let text = values["date"] ?? nil {
        return CivilDate(iso: text)
    }
    if let y = (values["year"] ?? nil).flatMap({ Int($0) }), let m = (values["month"] ?? nil).flatMap({ Int($0) }),
       let d = (values["day"] ?? nil).flatMap({ Int($0) }) {
        return CivilDate(year: y, month: m, day: d)
    }
    return nil
}
