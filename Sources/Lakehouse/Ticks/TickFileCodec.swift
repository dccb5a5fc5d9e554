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
        case .eventID: ColumnData(.utf8(eventIDs(r)))
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

    /// The rows' `EventID.description`s (`source|asset|time`) written straight into one buffer:
    /// building each as a `String` allocated one heap object per row.
    static func eventIDs(_ r: [LakeRecord]) -> ByteStrings {
        var out = ByteStrings()
        out.reserve(values: r.count, bytes: r.count * 40)
        var id: [UInt8] = []
        id.reserveCapacity(64)
        for record in r {
            id.removeAll(keepingCapacity: true)
            id.append(contentsOf: record.tick.source.rawValue.utf8)
            id.append(UInt8(ascii: "|"))
            id.append(contentsOf: record.tick.asset.rawValue.utf8)
            id.append(UInt8(ascii: "|"))
            id.append(contentsOf: String(record.tick.sourceTimeMillis).utf8)
            id.withUnsafeBufferPointer { out.append($0) }
        }
        return out
    }

    /// Delta statistics for the file; long free text (event_id) gets no min/max, as Delta
    /// writers truncate such columns anyway.
    static func statistics(_ columns: [(TickColumn, ColumnData)], count: Int, parquet: ParquetFileSummary? = nil) -> FileStatistics {
        FileStatistics(columns: columns.map { (name: $0.0.rawValue, data: $0.1, isTimestamp: $0.0.isTimestamp) }, count: count,
                       parquet: parquet, unbounded: [TickColumn.eventID.rawValue])
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
        } catch let error as ParquetError {
            throw LakehouseError(.corruptDataFile, "data file '\(file.path)': \(error)")
        } catch let error as LakehouseError where error.code == .corruptDataFile {
            throw LakehouseError(.corruptDataFile, "data file '\(file.path)': \(error.message)")
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
                scaled = v.map { $0.floorDivided(by: 1000) }
                dropped = dropped || v.contains { $0 % 1000 != 0 }
            case .nanos:
                scaled = v.map { $0.floorDivided(by: 1_000_000) }
                dropped = dropped || v.contains { $0 % 1_000_000 != 0 }
            }
            normalized[name] = ColumnData(.int64(scaled), validity: data.validity)
        }
        return TickBatch(count: count, columns: normalized, partition: partition, droppedSubMillisecondDigits: dropped)
    }
}
