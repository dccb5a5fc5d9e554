import Parquet

extension ParquetBridge {
    /// Reads `present` over the row groups `groups`, each narrowed to the run of rows from its
    /// first to its last row matching every equality of `filter` on a requested string column
    /// (groups with no such row are dropped). Files sorted by those columns (candles: asset,
    /// then interval) hold each key in one run, so with small data pages a scan of one asset
    /// decompresses and checksums the pages of its rows, not its row groups' (rows outside
    /// the equalities may still come back when a file is not sorted that way).
    ///
    /// `decode` reads columns over runs and `rowsEqual` matches a column's rows in a row group
    /// (from the whole file or from fetched ranges).
    static func readRuns(_ reader: ParquetFileReader, _ present: [String], _ groups: [Int], _ filter: RowGroupFilter,
                         decode: ([String], [ParquetRowRange]) throws -> [ColumnData],
                         rowsEqual: (String, String, Int) throws -> [Bool]) throws -> Decoded {
        let keys = filter.equal.filter { key in
            guard present.contains(key.column), let index = reader.schema.index(of: key.column) else { return false }
            return reader.schema.columns[index].type.storage == .string
        }
        var runs: [ParquetRowRange] = []
        for g in groups {
            // A key the statistics show to be the group's only value (no null) matches every row.
            let needed = keys.filter { key in
                guard let s = reader.rowGroups[g].statistics[key.column], s.nullCount == 0,
                      case .string(let low)? = s.min, case .string(let high)? = s.max else { return true }
                return !(low == key.value && high == key.value)
            }
            guard !needed.isEmpty else {
                runs.append(ParquetRowRange(rowGroup: g, rows: nil))
                continue
            }
            var matching = try rowsEqual(needed[0].column, needed[0].value, g)
            for key in needed.dropFirst() {
                let more = try rowsEqual(key.column, key.value, g)
                guard more.count == matching.count else {
                    throw LakehouseError(.corruptDataFile, "row group \(g) decoded to columns of different lengths")
                }
                for i in matching.indices where !more[i] { matching[i] = false }
            }
            let count = Int(reader.rowGroups[g].rowCount)
            guard matching.count == count else {
                throw LakehouseError(.corruptDataFile, "row group \(g) decoded to \(matching.count) rows, its footer says \(count)")
            }
            guard let first = matching.firstIndex(of: true), let last = matching.lastIndex(of: true) else { continue }
            runs.append(ParquetRowRange(rowGroup: g, rows: first == 0 && last == count - 1 ? nil : first..<(last + 1)))
        }
        let rows = runs.reduce(Int64(0)) { $0 + ($1.rows.map { Int64($0.count) } ?? reader.rowGroups[$1.rowGroup].rowCount) }
        return try assemble(reader, present, rows: rows, try decode(present, runs))
    }
}
