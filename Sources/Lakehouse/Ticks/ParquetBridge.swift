import Parquet

/// The calls into the Parquet library's writer and reader, kept in one place.
enum ParquetBridge {
    /// A Snappy-compressed, dictionary-encoded Parquet file of the columns, and its summary
    /// (per-column statistics, which the Delta statistics reuse). Row groups of 16 Ki rows by
    /// default: rows are sorted by asset then time, so a scan for one asset or time range
    /// skips most row groups of a compacted file by their statistics.
    static func write(schema: ParquetSchema, columns: [ColumnData], rowGroupRows: Int = 16_384,
                      pageRows: Int = ParquetWriterOptions().dataPageRowLimit) throws -> ([UInt8], ParquetFileSummary) {
        var writer = try ParquetWriter(schema: schema, options: ParquetWriterOptions(
            compression: .snappy, rowGroupRowLimit: rowGroupRows, dataPageRowLimit: pageRows))
        try writer.append(columns)
        let bytes = try writer.finish()
        guard let summary = writer.summary else { throw ParquetError("writer has no summary after finish") }
        return (bytes, summary)
    }

    /// Row count, and per requested column that the file has: its data and, for timestamp
    /// columns, their unit. Columns the file lacks are left out (older or foreign files).
    /// With `filter`, only row groups whose statistics may hold matching rows are read.
    static func read(_ bytes: [UInt8], columns: [String], filter: RowGroupFilter? = nil) throws -> Decoded {
        let reader = try ParquetFileReader(bytes: bytes)
        let present = columns.filter { reader.schema.index(of: $0) != nil }
        let groups = filter.map { selectRowGroups(reader, $0) }
        if let filter, filter.narrowsRows, let groups {
            return try readRuns(reader, present, groups, filter, decode: { try reader.readColumns($0, rows: $1) },
                                rowsEqual: { try reader.rowsEqual($0, $1, rowGroup: $2) })
        }
        return try assemble(reader, present, groups, try reader.readColumns(present, rowGroups: groups))
    }

    /// Row count, and per column read: its data and, for timestamp columns, their unit.
    typealias Decoded = (Int, [String: (ColumnData, ParquetType.TimeUnit?)])

    /// The row groups whose statistics may hold rows `filter` matches.
    static func selectRowGroups(_ reader: ParquetFileReader, _ filter: RowGroupFilter) -> [Int] {
        var scale: Int64?
        if let index = reader.schema.index(of: filter.timeColumn), case .timestamp(let u, _) = reader.schema.columns[index].type {
            scale = switch u { case .millis: 1; case .micros: 1000; case .nanos: 1_000_000 }
        }
        return reader.rowGroups { group in
            for condition in filter.equal
            where !group.mayContain(condition.column, from: .string(condition.value), to: .string(condition.value)) {
                return false
            }
            if let scale {
                let lower = filter.fromMillis.map { ParquetValue.int64($0 &* scale) }
                let upper = filter.toMillis.map { ParquetValue.int64($0 &* scale &- 1) }
                if !group.mayContain(filter.timeColumn, from: lower, to: upper) { return false }
            }
            return true
        }
    }

    /// Checks the decoded columns against the footer's row counts and names them.
    static func assemble(_ reader: ParquetFileReader, _ present: [String], _ groups: [Int]?, _ data: [ColumnData]) throws -> Decoded {
        try assemble(reader, present, rows: groups.map { $0.reduce(Int64(0)) { $0 + reader.rowGroups[$1].rowCount } } ?? reader.rowCount, data)
    }

    /// `assemble` for data of `rows` rows.
    static func assemble(_ reader: ParquetFileReader, _ present: [String], rows: Int64, _ data: [ColumnData]) throws -> Decoded {
        guard data.count == present.count else {
            throw LakehouseError(.corruptDataFile, "reader returned \(data.count) columns for \(present.count) requested")
        }
        guard rows >= 0, rows <= Int64(Int32.max) else {
            throw LakehouseError(.corruptDataFile, "implausible row count \(rows)")
        }
        var out: [String: (ColumnData, ParquetType.TimeUnit?)] = [:]
        for (name, column) in zip(present, data) {
            guard column.count == Int(rows) else {
                throw LakehouseError(.corruptDataFile, "column \(name) has \(column.count) values for \(rows) rows")
            }
            var unit: ParquetType.TimeUnit?
            if let index = reader.schema.index(of: name), case .timestamp(let u, _) = reader.schema.columns[index].type {
                unit = u
            }
            out[name] = (column, unit)
        }
        return (Int(rows), out)
    }
}

extension ParquetBridge {
    /// Decodes every page of a data file, whatever its schema, and returns its row count;
    /// throws the reader's `ParquetError` (a checksum mismatch names column and page).
    static func verify(_ bytes: [UInt8]) throws -> Int64 {
        let reader = try ParquetFileReader(bytes: bytes)
        try reader.verify()
        return reader.rowCount
    }
}

/// The row predicate a scan can push into the Parquet reader: row groups whose statistics
/// rule out every matching row are not read (rows outside it may still come back).
struct RowGroupFilter: Sendable {
    struct Equal: Sendable {
        var column: String
        var value: String
    }

    /// String columns that must equal a value.
    var equal: [Equal] = []
    /// The timestamp column `fromMillis`/`toMillis` bound.
    var timeColumn: String
    var fromMillis: Int64?
    /// Exclusive.
    var toMillis: Int64?
    /// Whether a read narrows each row group to the run of rows matching `equal` (worth it
    /// for files sorted by those columns and cut into small pages, as the candles table).
    var narrowsRows = false

    /// Ticks of one asset (or all) in a time range, on source time.
    static func ticks(asset: String?, fromMillis: Int64?, toMillis: Int64?) -> RowGroupFilter {
        RowGroupFilter(equal: asset.map { [Equal(column: TickColumn.asset.rawValue, value: $0)] } ?? [],
                       timeColumn: TickColumn.sourceTime.rawValue, fromMillis: fromMillis, toMillis: toMillis)
    }
}
