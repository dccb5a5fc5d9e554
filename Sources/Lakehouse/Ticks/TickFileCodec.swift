import CryptoVizCore
import Parquet

/// Turns tick records into one Parquet data file with its Delta statistics, and data files
/// back into `TickBatch`es. The only place that speaks the Parquet library's API.
enum TickFileCodec {
    /// Encodes records (already sorted) into a Parquet file holding `columns`.
    static func encode(_ records: [LakeRecord], columns: [TickColumn]) throws -> (bytes: [UInt8], stats: FileStatistics) {
        var data: [ColumnData] = []
        var parquetColumns: [ParquetColumn] = []
        for column in columns {
            parquetColumns.append(ParquetColumn(name: column.rawValue, type: parquetType(column), optional: column.nullable))
            data.append(columnData(column, records))
        }
        let bytes = try ParquetBridge.write(schema: ParquetSchema(columns: parquetColumns), columns: data)
        return (bytes, statistics(records, columns: columns))
    }

    static func parquetType(_ column: TickColumn) -> ParquetType {
        switch column.deltaType {
        case .string: .string
        case .double: .double
        case .timestamp: .timestampMicros
        case .integer: .int32
        case .long: .int64
        default: .string
        }
    }

    static func columnData(_ column: TickColumn, _ r: [LakeRecord]) -> ColumnData {
        switch column {
        case .eventID: ColumnData(.string(r.map { $0.tick.eventID.description }))
        case .source: ColumnData(.string(r.map { $0.tick.source.rawValue }))
        case .asset: ColumnData(.string(r.map { $0.tick.asset.rawValue }))
        case .symbol: ColumnData(.string(r.map { $0.tick.symbol }))
        case .quoteCurrency: ColumnData(.string(r.map { $0.tick.quoteCurrency }))
        case .price: ColumnData(.double(r.map { $0.tick.price }))
        case .marketCap: .double(r.map { $0.tick.marketCap })
        case .volume24h: .double(r.map { $0.tick.volume24h })
        case .change1h: .double(r.map { $0.tick.change1h })
        case .change24h: .double(r.map { $0.tick.change24h })
        case .change7d: .double(r.map { $0.tick.change7d })
        case .sourceTime: ColumnData(.int64(r.map { $0.tick.sourceTimeMillis &* 1000 }))
        case .collectedTime: ColumnData(.int64(r.map { $0.tick.collectedTimeMillis &* 1000 }))
        case .ingestedTime: ColumnData(.int64(r.map { $0.ingestedTimeMillis &* 1000 }))
        case .processedTime: ColumnData(.int64(r.map { $0.processedTimeMillis &* 1000 }))
        case .busTopic: ColumnData(.string(r.map { $0.busTopic }))
        case .busPartition: ColumnData(.int32(r.map { $0.busPartition }))
        case .busOffset: ColumnData(.int64(r.map { $0.busOffset }))
        }
    }

    /// Delta statistics for the file (Delta PROTOCOL.md, "Per-file Statistics"). Long free
    /// text (event_id) gets no min/max, as Delta writers truncate such columns anyway.
    static func statistics(_ r: [LakeRecord], columns: [TickColumn]) -> FileStatistics {
        var stats = FileStatistics(numRecords: Int64(r.count))
        guard !r.isEmpty else { return stats }
        func strings(_ c: TickColumn, _ f: (LakeRecord) -> String) {
            var lo = f(r[0]), hi = lo
            for x in r {
                let v = f(x)
                if v.utf8.lexicographicallyPrecedes(lo.utf8) { lo = v }
                if hi.utf8.lexicographicallyPrecedes(v.utf8) { hi = v }
            }
            stats.minValues[c.rawValue] = .string(lo)
            stats.maxValues[c.rawValue] = .string(hi)
            stats.nullCount[c.rawValue] = .int(0)
        }
        func doubles(_ c: TickColumn, _ f: (LakeRecord) -> Double?) {
            var lo = Double.infinity, hi = -Double.infinity, nulls: Int64 = 0, nan = false
            for x in r {
                guard let v = f(x) else { nulls += 1; continue }
                if v.isNaN { nan = true; continue }
                lo = min(lo, v); hi = max(hi, v)
            }
            stats.nullCount[c.rawValue] = .int(nulls)
            // JSON has no NaN or infinity; an unknown bound is safer than a wrong one.
            if !nan, lo.isFinite, hi.isFinite {
                stats.minValues[c.rawValue] = .double(lo)
                stats.maxValues[c.rawValue] = .double(hi)
            }
        }
        func times(_ c: TickColumn, _ f: (LakeRecord) -> Int64) {
            var lo = Int64.max, hi = Int64.min
            for x in r { let v = f(x); lo = min(lo, v); hi = max(hi, v) }
            stats.minValues[c.rawValue] = .string(DeltaTimestamp.isoString(millis: lo))
            stats.maxValues[c.rawValue] = .string(DeltaTimestamp.isoString(millis: hi))
            stats.nullCount[c.rawValue] = .int(0)
        }
        func ints(_ c: TickColumn, _ f: (LakeRecord) -> Int64) {
            var lo = Int64.max, hi = Int64.min
            for x in r { let v = f(x); lo = min(lo, v); hi = max(hi, v) }
            stats.minValues[c.rawValue] = .int(lo)
            stats.maxValues[c.rawValue] = .int(hi)
            stats.nullCount[c.rawValue] = .int(0)
        }
        for c in columns {
            switch c {
            case .eventID: stats.nullCount[c.rawValue] = .int(0)
            case .source: strings(c) { $0.tick.source.rawValue }
            case .asset: strings(c) { $0.tick.asset.rawValue }
            case .symbol: strings(c) { $0.tick.symbol }
            case .quoteCurrency: strings(c) { $0.tick.quoteCurrency }
            case .busTopic: strings(c) { $0.busTopic }
            case .price: doubles(c) { $0.tick.price }
            case .marketCap: doubles(c) { $0.tick.marketCap }
            case .volume24h: doubles(c) { $0.tick.volume24h }
            case .change1h: doubles(c) { $0.tick.change1h }
            case .change24h: doubles(c) { $0.tick.change24h }
            case .change7d: doubles(c) { $0.tick.change7d }
            case .sourceTime: times(c) { $0.tick.sourceTimeMillis }
            case .collectedTime: times(c) { $0.tick.collectedTimeMillis }
            case .ingestedTime: times(c) { $0.ingestedTimeMillis }
            case .processedTime: times(c) { $0.processedTimeMillis }
            case .busPartition: ints(c) { Int64($0.busPartition) }
            case .busOffset: ints(c) { $0.busOffset }
            }
        }
        return stats
    }

    /// Decodes the named columns of a data file (missing ones are left out), timestamps in ms.
    static func decode(_ bytes: [UInt8], columns: [TickColumn], partition: [String: String?], path: String,
                       filter: TickRowFilter? = nil) throws -> TickBatch {
        do {
            let (count, raw) = try ParquetBridge.read(bytes, columns: columns.map(\.rawValue), filter: filter)
            var normalized: [String: ColumnData] = [:]
            var dropped = false
            for (name, (data, unit)) in raw {
                guard let unit, case .int64(let v) = data.values else { normalized[name] = data; continue }
                let scaled: [Int64]
                switch unit {
                case .millis: scaled = v
                case .micros:
                    scaled = v.map { $0 >= 0 ? $0 / 1000 : ($0 - 999) / 1000 }
                    dropped = dropped || v.contains { $0 % 1000 != 0 }
                case .nanos:
                    scaled = v.map { $0 >= 0 ? $0 / 1_000_000 : ($0 - 999_999) / 1_000_000 }
                    dropped = dropped || v.contains { $0 % 1_000_000 != 0 }
                }
                normalized[name] = ColumnData(.int64(scaled), validity: data.validity)
            }
            return TickBatch(count: count, columns: normalized, partition: partition, droppedSubMillisecondDigits: dropped)
        } catch {
            throw LakehouseError(.corruptDataFile, "data file '\(path)': \(error)")
        }
    }
}
