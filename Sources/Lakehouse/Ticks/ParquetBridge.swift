import Parquet

/// The calls into the Parquet library's writer and reader, kept in one place.
enum ParquetBridge {
    /// A Snappy-compressed Parquet file of the columns (pyarrow-like defaults: dictionary
    /// encoding, row groups of up to 1 Mi rows).
    static func write(schema: ParquetSchema, columns: [ColumnData]) throws -> [UInt8] {
        try ParquetWriter.write(schema: schema, columns: columns, options: ParquetWriterOptions(compression: .snappy))
    }

    /// Row count, and per requested column that the file has: its data and, for timestamp
    /// columns, their unit. Columns the file lacks are left out (older or foreign files).
    static func read(_ bytes: [UInt8], columns: [String]) throws -> (Int, [String: (ColumnData, ParquetType.TimeUnit?)]) {
        let reader = try ParquetFileReader(bytes: bytes)
        let present = columns.filter { reader.schema.index(of: $0) != nil }
        let data = try reader.readColumns(present)
        guard data.count == present.count else {
            throw LakehouseError(.corruptDataFile, "reader returned \(data.count) columns for \(present.count) requested")
        }
        guard reader.rowCount >= 0, reader.rowCount <= Int64(Int32.max) else {
            throw LakehouseError(.corruptDataFile, "implausible row count \(reader.rowCount)")
        }
        var out: [String: (ColumnData, ParquetType.TimeUnit?)] = [:]
        for (name, column) in zip(present, data) {
            guard column.count == Int(reader.rowCount) else {
                throw LakehouseError(.corruptDataFile, "column \(name) has \(column.count) values for \(reader.rowCount) rows")
            }
            var unit: ParquetType.TimeUnit?
            if let index = reader.schema.index(of: name), case .timestamp(let u, _) = reader.schema.columns[index].type {
                unit = u
            }
            out[name] = (column, unit)
        }
        return (Int(reader.rowCount), out)
    }
}
