import Parquet

/// Turns alert records into one Parquet data file with its Delta statistics, and back.
enum AlertFileCodec {
    static func encode(_ records: [AlertRecord]) throws -> (bytes: [UInt8], stats: FileStatistics) {
        let columns = AlertColumn.allCases.map {
            ParquetColumn(name: $0.rawValue, type: CandleFileCodec.parquetType($0.deltaType), optional: $0.nullable)
        }
        let data = AlertColumn.allCases.map { columnData($0, records) }
        let (bytes, _) = try ParquetBridge.write(schema: ParquetSchema(columns: columns), columns: data)
        return (bytes, statistics(records))
    }

    private static func columnData(_ column: AlertColumn, _ r: [AlertRecord]) -> ColumnData {
        switch column {
        case .position: ColumnData(.int64(r.map(\.position)))
        case .id: ColumnData(.string(r.map(\.id)))
        case .alertID: ColumnData(.string(r.map(\.alertID)))
        case .kind: ColumnData(.string(r.map(\.kind)))
        case .ruleID: ColumnData(.string(r.map(\.ruleID)))
        case .ruleName: ColumnData(.string(r.map(\.ruleName)))
        case .type: ColumnData(.string(r.map(\.type)))
        case .severity: ColumnData(.string(r.map(\.severity)))
        case .asset: .string(r.map(\.asset))
        case .source: .string(r.map(\.source))
        case .value: ColumnData(.double(r.map(\.value)))
        case .threshold: ColumnData(.double(r.map(\.threshold)))
        case .firedAt: ColumnData(.int64(r.map { $0.firedAtMillis &* 1000 }))
        case .at: ColumnData(.int64(r.map { $0.atMillis &* 1000 }))
        }
    }

    /// Delta statistics (PROTOCOL.md "Per-file Statistics"): row count, null counts, and the
    /// position and time bounds readers skip files by.
    private static func statistics(_ r: [AlertRecord]) -> FileStatistics {
        var stats = FileStatistics(numRecords: Int64(r.count))
        for column in AlertColumn.allCases {
            let nulls = switch column {
            case .asset: r.filter { $0.asset == nil }.count
            case .source: r.filter { $0.source == nil }.count
            default: 0
            }
            stats.nullCount[column.rawValue] = .int(Int64(nulls))
        }
        guard let first = r.first else { return stats }
        var positions = first.position...first.position, times = first.atMillis...first.atMillis
        for record in r {
            positions = min(positions.lowerBound, record.position)...max(positions.upperBound, record.position)
            times = min(times.lowerBound, record.atMillis)...max(times.upperBound, record.atMillis)
        }
        stats.minValues[AlertColumn.position.rawValue] = .int(positions.lowerBound)
        stats.maxValues[AlertColumn.position.rawValue] = .int(positions.upperBound)
        stats.minValues[AlertColumn.at.rawValue] = .string(DeltaTimestamp.isoString(millis: times.lowerBound))
        stats.maxValues[AlertColumn.at.rawValue] = .string(DeltaTimestamp.isoString(millis: times.upperBound))
        return stats
    }

    /// The records of one data file; a file that does not hold the table's columns is corrupt.
    static func decode(_ bytes: [UInt8], path: String) throws -> [AlertRecord] {
        let (count, columns) = try ParquetBridge.read(bytes, columns: AlertColumn.allCases.map(\.rawValue))
        func strings(_ c: AlertColumn) throws -> [String?] {
            guard let (data, _) = columns[c.rawValue], case .string(let v) = data.values else { throw missing(c) }
            return v.indices.map { data.isNull($0) ? nil : v[$0] }
        }
        func doubles(_ c: AlertColumn) throws -> [Double] {
            guard let (data, _) = columns[c.rawValue], case .double(let v) = data.values else { throw missing(c) }
            return v
        }
        func longs(_ c: AlertColumn) throws -> [Int64] {
            guard let (data, unit) = columns[c.rawValue], case .int64(let v) = data.values else { throw missing(c) }
            let scale: Int64 = switch unit { case .millis: 1; case .micros: 1000; case .nanos: 1_000_000; case nil: 1 }
            return scale == 1 ? v : v.map { $0.floorDivided(by: scale) }
        }
        func missing(_ c: AlertColumn) -> LakehouseError {
            LakehouseError(.corruptDataFile, "alerts data file '\(path)' has no readable column '\(c.rawValue)'")
        }
        let position = try longs(.position), id = try strings(.id), alertID = try strings(.alertID), kind = try strings(.kind)
        let ruleID = try strings(.ruleID), ruleName = try strings(.ruleName), type = try strings(.type)
        let severity = try strings(.severity), asset = try strings(.asset), source = try strings(.source)
        let value = try doubles(.value), threshold = try doubles(.threshold)
        let firedAt = try longs(.firedAt), at = try longs(.at)
        return (0..<count).map { i in
            AlertRecord(id: id[i] ?? "", alertID: alertID[i] ?? "", kind: kind[i] ?? "", ruleID: ruleID[i] ?? "",
                        ruleName: ruleName[i] ?? "", type: type[i] ?? "", severity: severity[i] ?? "", asset: asset[i],
                        source: source[i], value: value[i], threshold: threshold[i], firedAtMillis: firedAt[i],
                        atMillis: at[i], position: position[i])
        }
    }
}
