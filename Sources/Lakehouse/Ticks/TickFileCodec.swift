import CryptoVizCore
import ObjectStore
import Parquet

/// Turns tick records into one Parquet data file with its Delta statistics, and data files
/// back into `TickBatch`es. The only place that speaks the Parquet library's API.
enum TickFileCodec {
    /// Encodes records (already sorted) into a Parquet file holding `columns`.
    static func encode(_ records: [LakeRecord], columns: [TickColumn]) throws -> (bytes: [UInt8], stats: FileStatistics) {
        try encode(columns.map { ($0, columnData($0, records)) }, count: records.count)
    }

    /// Encodes columns (each of its `parquetType`'s storage, timestamps in microseconds) into
    /// a Parquet file with its Delta statistics.
    static func encode(_ columns: [(TickColumn, ColumnData)], count: Int) throws -> (bytes: [UInt8], stats: FileStatistics) {
        let schema = ParquetSchema(columns: columns.map {
            ParquetColumn(name: $0.0.rawValue, type: parquetType($0.0), optional: $0.0.nullable)
        })
        let (bytes, summary) = try ParquetBridge.write(schema: schema, columns: columns.map(\.1))
        return (bytes, statistics(columns, count: count, parquet: summary))
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
    /// String bounds come from the Parquet writer's statistics (same byte order) when given.
    static func statistics(_ columns: [(TickColumn, ColumnData)], count: Int, parquet: ParquetFileSummary? = nil) -> FileStatistics {
        var stats = FileStatistics(numRecords: Int64(count))
        guard count > 0 else { return stats }
        for (c, data) in columns {
            let name = c.rawValue
            stats.nullCount[name] = .int(Int64(data.nullCount))
            switch data.values {
            case .string where c != .eventID && parquet?.statistics(of: name)?.min != nil:
                if case .string(let lo)? = parquet?.statistics(of: name)?.min, case .string(let hi)? = parquet?.statistics(of: name)?.max {
                    stats.minValues[name] = .string(lo)
                    stats.maxValues[name] = .string(hi)
                }
            case .string(let v) where c != .eventID:
                var lo = v[0], hi = v[0]
                for x in v {
                    if x.utf8.lexicographicallyPrecedes(lo.utf8) { lo = x }
                    if hi.utf8.lexicographicallyPrecedes(x.utf8) { hi = x }
                }
                stats.minValues[name] = .string(lo)
                stats.maxValues[name] = .string(hi)
            case .double(let v):
                var lo = Double.infinity, hi = -Double.infinity, nan = false
                for i in v.indices where data.validity?[i] ?? true {
                    let x = v[i]
                    if x.isNaN { nan = true; continue }
                    lo = min(lo, x)
                    hi = max(hi, x)
                }
                // JSON has no NaN or infinity; an unknown bound is safer than a wrong one.
                if !nan, lo.isFinite, hi.isFinite {
                    stats.minValues[name] = .double(lo)
                    stats.maxValues[name] = .double(hi)
                }
            case .int64(let v) where c.isTimestamp:
                // Stored in microseconds from whole milliseconds: the division is exact.
                stats.minValues[name] = .string(DeltaTimestamp.isoString(millis: (v.min() ?? 0) / 1000))
                stats.maxValues[name] = .string(DeltaTimestamp.isoString(millis: (v.max() ?? 0) / 1000))
            case .int64(let v):
                stats.minValues[name] = .int(v.min() ?? 0)
                stats.maxValues[name] = .int(v.max() ?? 0)
            case .int32(let v):
                stats.minValues[name] = .int(Int64(v.min() ?? 0))
                stats.maxValues[name] = .int(Int64(v.max() ?? 0))
            default:
                break
            }
        }
        return stats
    }

    /// Decodes the named columns of a data file (missing ones are left out), timestamps in ms.
    static func decode(_ bytes: [UInt8], columns: [TickColumn], partition: [String: String?], path: String,
                       filter: RowGroupFilter? = nil) throws -> TickBatch {
        do {
            return batch(try ParquetBridge.read(bytes, columns: columns.map(\.rawValue), filter: filter), partition: partition)
        } catch {
            throw LakehouseError(.corruptDataFile, "data file '\(path)': \(error)")
        }
    }

    /// `decode` of a stored file, fetching only the parts `filter` needs (see
    /// `ParquetBridge.read(from:key:size:columns:filter:)`).
    static func fetch(_ file: AddFile, from store: any ObjectStore, key: ObjectKey, columns: [TickColumn],
                      filter: RowGroupFilter?, version: Int64) async throws -> TickBatch {
        do {
            let decoded = try await ParquetBridge.read(from: store, key: key, size: Int(file.size),
                                                       columns: columns.map(\.rawValue), filter: filter)
            return batch(decoded, partition: file.partitionValues)
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.corruptDataFile, "data file '\(file.path)' of version \(version) is missing (vacuumed?)")
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            throw LakehouseError(.corruptDataFile, "data file '\(file.path)': \(error)")
        }
    }

    /// The batch of decoded columns, timestamps normalized to ms.
    private static func batch(_ decoded: ParquetBridge.Decoded, partition: [String: String?]) -> TickBatch {
        let (count, raw) = decoded
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
    }
}
