import CryptoVizCore
import ObjectStore
import Parquet

/// Turns trade records into one Parquet data file with its Delta statistics, and data files
/// back into records.
enum TradeFileCodec {
    /// Encodes records (already sorted) into a Parquet file of the data columns.
    static func encode(_ records: [TradeRecord]) throws -> (bytes: [UInt8], stats: FileStatistics) {
        let columns = TradeColumn.dataColumns
        let data = columns.map { columnData($0, records) }
        let schema = ParquetSchema(columns: columns.map { ParquetColumn(name: $0.rawValue, type: $0.parquetType, optional: false) })
        let (bytes, summary) = try ParquetBridge.write(schema: schema, columns: data)
        let stats = FileStatistics(columns: zip(columns, data).map { (name: $0.rawValue, data: $1, isTimestamp: $0.isTimestamp) },
                                   count: records.count, parquet: summary)
        return (bytes, stats)
    }

    static func columnData(_ column: TradeColumn, _ r: [TradeRecord]) -> ColumnData {
        switch column {
        case .source: ColumnData(.string(r.map { $0.trade.source.rawValue }))
        case .asset: ColumnData(.string(r.map { $0.trade.asset.rawValue }))
        case .symbol: ColumnData(.string(r.map { $0.trade.pair }))
        case .base: ColumnData(.string(r.map { $0.trade.base }))
        case .quoteCurrency: ColumnData(.string(r.map { $0.trade.quoteCurrency }))
        case .tradeID: ColumnData(.int64(r.map { $0.trade.tradeID }))
        case .price: ColumnData(.double(r.map { $0.trade.price }))
        case .quantity: ColumnData(.double(r.map { $0.trade.quantity }))
        case .buyerIsMaker: ColumnData(.boolean(r.map { $0.trade.buyerIsMaker }))
        case .tradeTime: ColumnData(.int64(r.map { $0.trade.tradeTimeMillis &* 1000 }))
        case .eventTime: ColumnData(.int64(r.map { $0.trade.eventTimeMillis &* 1000 }))
        case .ingestedTime: ColumnData(.int64(r.map { $0.ingestedTimeMillis &* 1000 }))
        case .processedTime: ColumnData(.int64(r.map { $0.processedTimeMillis &* 1000 }))
        case .busTopic: ColumnData(.string(r.map { $0.busTopic }))
        case .busPartition: ColumnData(.int32(r.map { $0.busPartition }))
        case .busOffset: ColumnData(.int64(r.map { $0.busOffset }))
        }
    }

    /// The records of a stored data file; `source` comes from its partition values when the
    /// file leaves it out. A file lacking a column, or holding a null or a timestamp finer than
    /// a millisecond where the model has none, is refused (its rows would not read back as
    /// written, so compaction must not rewrite them).
    static func fetch(_ file: AddFile, from store: any ObjectStore, key: ObjectKey, version: Int64) async throws -> [TradeRecord] {
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch let error as ObjectStoreError where error.code == .notFound {
            throw LakehouseError(.corruptDataFile, "trades data file '\(file.path)' of version \(version) is missing (vacuumed?)")
        }
        do {
            return try decode(bytes, partition: file.partitionValues, path: file.path)
        } catch let error as ParquetError {
            throw LakehouseError(.corruptDataFile, "trades data file '\(file.path)': \(error)")
        }
    }

    static func decode(_ bytes: [UInt8], partition: [String: String?], path: String) throws -> [TradeRecord] {
        let (count, columns) = try ParquetBridge.read(bytes, columns: TradeColumn.allCases.map(\.rawValue))
        func bad(_ c: TradeColumn, _ why: String) -> LakehouseError {
            LakehouseError(.corruptDataFile, "trades data file '\(path)': column '\(c.rawValue)' \(why)")
        }
        func column(_ c: TradeColumn) throws -> (ColumnData, ParquetType.TimeUnit?) {
            guard let found = columns[c.rawValue] else { throw bad(c, "is missing") }
            guard found.0.validity == nil || found.0.nullCount == 0 else { throw bad(c, "holds nulls") }
            return found
        }
        func strings(_ c: TradeColumn) throws -> [String] {
            guard case .string(let v) = try column(c).0.values else { throw bad(c, "is not text") }
            return v
        }
        func doubles(_ c: TradeColumn) throws -> [Double] {
            guard case .double(let v) = try column(c).0.values else { throw bad(c, "is not a double") }
            return v
        }
        func longs(_ c: TradeColumn) throws -> [Int64] {
            let (data, unit) = try column(c)
            switch data.values {
            case .int64(let v):
                let scale: Int64 = switch unit { case .millis?, nil: 1; case .micros?: 1000; case .nanos?: 1_000_000 }
                guard scale > 1 else { return v }
                guard v.allSatisfy({ $0 % scale == 0 }) else { throw bad(c, "has digits below the millisecond") }
                return v.map { $0 / scale }
            case .int32(let v): return v.map(Int64.init)
            default: throw bad(c, "is not an integer")
            }
        }
        let sources: [String]
        if columns[TradeColumn.source.rawValue] != nil {
            sources = try strings(.source)
        } else if let source = partition["source"] ?? nil {
            sources = Array(repeating: source, count: count)
        } else {
            throw bad(.source, "is missing from the file and its partition")
        }
        guard case .boolean(let makers) = try column(.buyerIsMaker).0.values else { throw bad(.buyerIsMaker, "is not a boolean") }
        let asset = try strings(.asset), symbol = try strings(.symbol), base = try strings(.base)
        let quote = try strings(.quoteCurrency), topic = try strings(.busTopic)
        let id = try longs(.tradeID), price = try doubles(.price), quantity = try doubles(.quantity)
        let tradeTime = try longs(.tradeTime), eventTime = try longs(.eventTime)
        let ingested = try longs(.ingestedTime), processed = try longs(.processedTime)
        let partitions = try longs(.busPartition), offsets = try longs(.busOffset)
        return (0..<count).map { i in
            TradeRecord(
                trade: Trade(source: ProviderID(sources[i]), asset: AssetID(asset[i]), pair: symbol[i], base: base[i],
                             quoteCurrency: quote[i], tradeID: id[i], price: price[i], quantity: quantity[i],
                             buyerIsMaker: makers[i], tradeTimeMillis: tradeTime[i], eventTimeMillis: eventTime[i]),
                ingestedTimeMillis: ingested[i], processedTimeMillis: processed[i], busTopic: topic[i],
                busPartition: Int32(truncatingIfNeeded: partitions[i]), busOffset: offsets[i])
        }
    }
}
