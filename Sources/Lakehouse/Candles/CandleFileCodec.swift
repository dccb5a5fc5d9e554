import CryptoVizCore
import ObjectStore
import Parquet

/// Turns candle records into one Parquet data file with its Delta statistics, and data files
/// back into `CandleBatch`es.
enum CandleFileCodec {
    /// A column the table gained after its creation, stored when a record fills it.
    struct ExtraField: Sendable {
        var name: String
        var type: DeltaDataType
    }

    /// The added columns of `schema`: every field that is not a built-in candles column.
    static func extraFields(_ schema: DeltaSchema) -> [ExtraField] {
        schema.fields.filter { !CandleColumn.builtInNames.contains($0.name) }.map { ExtraField(name: $0.name, type: $0.type) }
    }

    /// Rows per row group: half the tick table's. A candles file holds many assets sorted by
    /// asset, and a chart reads one: with an asset's day of 1-minute bars (1 440 rows) in one
    /// or two groups of 8 Ki rows, a scan decodes about a quarter of what 16 Ki-row groups
    /// made it decode, for files 2 % larger (`bench candles --days 60`, docs/benchmarks/lake.md).
    static let rowGroupRows = 8_192
    /// Rows per data page: a scan narrowed to one asset's run of rows
    /// (`RowGroupFilter.narrowsRows`) skips the pages outside it unread, so an asset's day
    /// costs two or three pages per column instead of its row group's eight.
    static let pageRows = 1_024

    /// Encodes records (already sorted) into a Parquet file of the data columns and `extras`.
    static func encode(_ records: [CandleRecord], extras: [ExtraField]) throws -> (bytes: [UInt8], stats: FileStatistics) {
        var parquetColumns: [ParquetColumn] = []
        var data: [ColumnData] = []
        for column in CandleColumn.dataColumns {
            parquetColumns.append(ParquetColumn(name: column.rawValue, type: parquetType(column.deltaType), optional: column.nullable))
            data.append(columnData(column, records))
        }
        for extra in extras {
            parquetColumns.append(ParquetColumn(name: extra.name, type: parquetType(extra.type), optional: true))
            data.append(try extraData(extra, records))
        }
        let (bytes, _) = try ParquetBridge.write(schema: ParquetSchema(columns: parquetColumns), columns: data, rowGroupRows: rowGroupRows,
                                                   pageRows: pageRows)
        return (bytes, statistics(records, extras: extras))
    }

    static func parquetType(_ type: DeltaDataType) -> ParquetType {
        switch type {
        case .double: .double
        case .long: .int64
        case .boolean: .boolean
        case .timestamp: .timestampMicros
        default: .string
        }
    }

    static func columnData(_ column: CandleColumn, _ r: [CandleRecord]) -> ColumnData {
        switch column {
        case .source: ColumnData(.string(r.map { $0.source.rawValue }))
        case .asset: ColumnData(.string(r.map { $0.asset.rawValue }))
        case .symbol: ColumnData(.string(r.map { $0.symbol }))
        case .quoteCurrency: ColumnData(.string(r.map { $0.quoteCurrency }))
        case .interval: ColumnData(.string(r.map { $0.interval.rawValue }))
        case .openTime: ColumnData(.int64(r.map { $0.openTimeMillis &* 1000 }))
        case .open: ColumnData(.double(r.map { $0.open }))
        case .high: ColumnData(.double(r.map { $0.high }))
        case .low: ColumnData(.double(r.map { $0.low }))
        case .close: ColumnData(.double(r.map { $0.close }))
        case .baseVolume: .double(r.map { $0.baseVolume })
        case .quoteVolume: .double(r.map { $0.quoteVolume })
        case .tradeCount: .int64(r.map { $0.tradeCount })
        case .marketCap: .double(r.map { $0.marketCap })
        case .isFinal: ColumnData(.boolean(r.map { $0.isFinal }))
        case .origin: ColumnData(.string(r.map { $0.origin.rawValue }))
        case .ingestTime: ColumnData(.int64(r.map { $0.ingestTimeMillis &* 1000 }))
        }
    }

    /// The values of an added column; a value of another type than the column's is refused
    /// (writing it would store something no reader expects).
    static func extraData(_ field: ExtraField, _ records: [CandleRecord]) throws -> ColumnData {
        func mismatch(_ value: CandleExtraValue) -> LakehouseError {
            LakehouseError(.invalidArgument, "candles column '\(field.name)' is \(field.type) but a record gives \(value)")
        }
        let values = records.map { $0.extra[field.name] }
        switch field.type {
        case .double:
            return .double(try values.map { v -> Double? in
                guard let v else { return nil }
                if case .double(let d) = v { return d }
                throw mismatch(v)
            })
        case .long:
            return .int64(try values.map { v -> Int64? in
                guard let v else { return nil }
                if case .long(let n) = v { return n }
                throw mismatch(v)
            })
        case .boolean:
            return .boolean(try values.map { v -> Bool? in
                guard let v else { return nil }
                if case .boolean(let b) = v { return b }
                throw mismatch(v)
            })
        case .timestamp:
            return .int64(try values.map { v -> Int64? in
                guard let v else { return nil }
                if case .timestampMillis(let t) = v { return t &* 1000 }
                throw mismatch(v)
            })
        case .string:
            return .string(try values.map { v -> String? in
                guard let v else { return nil }
                if case .string(let s) = v { return s }
                throw mismatch(v)
            })
        default:
            throw LakehouseError(.invalidArgument, "candles column '\(field.name)' has type \(field.type), which the candles writer cannot fill")
        }
    }

    /// Delta statistics (PROTOCOL.md "Per-file Statistics"): min/max of the string, number and
    /// time columns, null counts of all; added columns get null counts only.
    static func statistics(_ r: [CandleRecord], extras: [ExtraField]) -> FileStatistics {
        var stats = FileStatistics(numRecords: Int64(r.count))
        guard !r.isEmpty else { return stats }
        func strings(_ c: CandleColumn, _ f: (CandleRecord) -> String) {
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
        func doubles(_ c: CandleColumn, _ f: (CandleRecord) -> Double?) {
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
        func times(_ c: CandleColumn, _ f: (CandleRecord) -> Int64) {
            var lo = Int64.max, hi = Int64.min
            for x in r { let v = f(x); lo = min(lo, v); hi = max(hi, v) }
            stats.minValues[c.rawValue] = .string(DeltaTimestamp.isoString(millis: lo))
            stats.maxValues[c.rawValue] = .string(DeltaTimestamp.isoString(millis: hi))
            stats.nullCount[c.rawValue] = .int(0)
        }
        for c in CandleColumn.dataColumns {
            switch c {
            case .source: strings(c) { $0.source.rawValue }
            case .asset: strings(c) { $0.asset.rawValue }
            case .symbol: strings(c) { $0.symbol }
            case .quoteCurrency: strings(c) { $0.quoteCurrency }
            case .interval: strings(c) { $0.interval.rawValue }
            case .origin: strings(c) { $0.origin.rawValue }
            case .openTime: times(c) { $0.openTimeMillis }
            case .ingestTime: times(c) { $0.ingestTimeMillis }
            case .open: doubles(c) { $0.open }
            case .high: doubles(c) { $0.high }
            case .low: doubles(c) { $0.low }
            case .close: doubles(c) { $0.close }
            case .baseVolume: doubles(c) { $0.baseVolume }
            case .quoteVolume: doubles(c) { $0.quoteVolume }
            case .marketCap: doubles(c) { $0.marketCap }
            case .tradeCount:
                let present = r.compactMap(\.tradeCount)
                stats.nullCount[c.rawValue] = .int(Int64(r.count - present.count))
                if let lo = present.min(), let hi = present.max() {
                    stats.minValues[c.rawValue] = .int(lo)
                    stats.maxValues[c.rawValue] = .int(hi)
                }
            case .isFinal: stats.nullCount[c.rawValue] = .int(0)
            }
        }
        for extra in extras {
            stats.nullCount[extra.name] = .int(Int64(r.filter { $0.extra[extra.name] == nil }.count))
        }
        return stats
    }

    /// Decodes the named columns of a data file (columns the file lacks, such as ones added
    /// to the table after it was written, are left out), timestamps in ms. With `filter`, only
    /// the row groups that may hold matching rows.
    static func decode(_ bytes: [UInt8], columns: [String], partition: [String: String?], path: String,
                       filter: RowGroupFilter? = nil) throws -> CandleBatch {
        do {
            return batch(try ParquetBridge.read(bytes, columns: columns, filter: filter), partition: partition)
        } catch {
            throw LakehouseError(.corruptDataFile, "candles data file '\(path)': \(error)")
        }
    }

    /// `decode` of a stored file, fetching only the parts `filter` needs (see
    /// `ParquetBridge.read(from:key:size:columns:filter:)`).
    /// With `rawTimes`, timestamp columns keep the file's unit (`CandleBatch.timeScales` says
    /// which): a scan that converts only the rows it keeps saves a pass over every row.
    static func fetch(_ file: AddFile, from store: any ObjectStore, key: ObjectKey, columns: [String],
                      filter: RowGroupFilter?, version: Int64, rawTimes: Bool = false) async throws -> CandleBatch {
        do {
            let decoded = try await ParquetBridge.read(from: store, key: key, size: Int(file.size), columns: columns, filter: filter)
            return batch(decoded, partition: file.partitionValues, rawTimes: rawTimes)
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.corruptDataFile, "candles data file '\(file.path)' of version \(version) is missing (vacuumed?)")
        } catch let error as ParquetError {
            throw LakehouseError(.corruptDataFile, "candles data file '\(file.path)': \(error)")
        } catch let error as LakehouseError where error.code == .corruptDataFile {
            throw LakehouseError(.corruptDataFile, "candles data file '\(file.path)': \(error.message)")
        }
    }

    /// The batch of decoded columns, timestamps normalized to ms (or left raw, see `fetch`).
    private static func batch(_ decoded: ParquetBridge.Decoded, partition: [String: String?], rawTimes: Bool = false) -> CandleBatch {
        let (count, raw) = decoded
        var normalized: [String: ColumnData] = [:]
        var scales: [String: Int64] = [:]
        for (name, (data, unit)) in raw {
            guard let unit, case .int64(let v) = data.values else { normalized[name] = data; continue }
            let scale: Int64 = switch unit { case .millis: 1; case .micros: 1000; case .nanos: 1_000_000 }
            if rawTimes {
                normalized[name] = data
                scales[name] = scale
                continue
            }
            let millis = scale == 1 ? v : v.map { $0.floorDivided(by: scale) }
            normalized[name] = ColumnData(.int64(millis), validity: data.validity)
        }
        return CandleBatch(count: count, columns: normalized, partition: partition, timeScales: scales)
    }
}
