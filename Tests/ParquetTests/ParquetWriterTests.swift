import Foundation
import Parquet
import Testing
import TestSupport

@Suite struct ParquetWriterTests {
    struct Config: CustomTestStringConvertible, Sendable {
        var seed: UInt64
        var rows: Int
        var options: ParquetWriterOptions
        var testDescription: String {
            "seed \(seed), \(rows) rows, \(options.compression), dictionary \(options.dictionary), row groups of \(options.rowGroupRowLimit)"
        }
    }

    static let configs: [Config] = [
        Config(seed: 1, rows: 500, options: ParquetWriterOptions()),
        Config(seed: 2, rows: 777, options: ParquetWriterOptions(compression: .uncompressed, rowGroupRowLimit: 200, dataPageRowLimit: 64)),
        Config(seed: 3, rows: 300, options: ParquetWriterOptions(rowGroupRowLimit: 128, dictionary: false)),
        Config(seed: 4, rows: 1, options: ParquetWriterOptions()),
        Config(seed: 5, rows: 2000, options: ParquetWriterOptions(rowGroupRowLimit: 700, dataPageRowLimit: 100, dictionaryPageByteLimit: 64)),
    ]

    @Test(arguments: configs)
    func randomTablesReadIdenticallyByPyarrowAndDuckDB(_ config: Config) throws {
        print("ParquetWriterTests seed \(config.seed)")
        let table = RandomTable.make(seed: config.seed, rows: config.rows)
        var writer = try ParquetWriter(schema: table.schema, options: config.options)
        // Append in uneven batches to exercise row-group splitting.
        var offset = 0
        var g = SeededGenerator(seed: config.seed)
        while offset < config.rows {
            let n = min(config.rows - offset, Int.random(in: 1...300, using: &g))
            try writer.append(table.columns.map { $0.slice(offset..<(offset + n)) })
            offset += n
        }
        let bytes = try writer.finish()
        let path = try OracleDump.temporaryFile(bytes)
        for engine in [OracleDump.Engine.pyarrow, .duckdb] {
            let dump = try OracleDump.read(path, engine: engine)
            try #require(dump.columns.count == table.schema.columns.count)
            for (i, column) in table.schema.columns.enumerated() {
                #expect(dump.columns[i].name == column.name)
                #expect(dump.columns[i].type == Canonical.typeName(column.type, engine: engine), "\(engine) \(column.name)")
                let expected = Canonical.values(table.columns[i], type: column.type, engine: engine)
                #expect(dump.columns[i].values == expected, "\(engine) column \(column.name), seed \(config.seed)")
            }
        }
    }

    @Test func statisticsMatchTheTruthInPyarrow() throws {
        let table = RandomTable.make(seed: 11, rows: 900)
        let options = ParquetWriterOptions(rowGroupRowLimit: 250)
        let bytes = try ParquetWriter.write(schema: table.schema, columns: table.columns, options: options)
        let dump = try OracleDump.read(try OracleDump.temporaryFile(bytes), engine: .pyarrow)
        let groups = try #require(dump.row_groups)
        #expect(groups.map(\.num_rows) == [250, 250, 250, 150])
        for (g, group) in groups.enumerated() {
            let rows = (g * 250)..<min(900, (g + 1) * 250)
            for (i, column) in table.schema.columns.enumerated() {
                let part = table.columns[i].slice(rows)
                let stats = try #require(group.columns[column.name], "stats of \(column.name)")
                let truth = TruthStatistics(part)
                #expect(stats.null_count == truth.nullCount, "\(column.name) group \(g)")
                #expect(stats.min == truth.min.map { Canonical.value(for: $0, type: column.type) }, "min \(column.name) group \(g)")
                #expect(stats.max == truth.max.map { Canonical.value(for: $0, type: column.type) }, "max \(column.name) group \(g)")
            }
        }
    }

    @Test func duckDBFiltersOnRowGroupsWithDisjointRanges() throws {
        let rows = 4000
        let ids = (0..<rows).map { Int64($0) * 10 }
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "id", type: .int64),
            ParquetColumn(name: "name", type: .string, optional: true),
        ])
        let names = ColumnData.string((0..<rows).map { $0 % 7 == 0 ? nil : "n\($0 % 13)" })
        var writer = try ParquetWriter(schema: schema, options: ParquetWriterOptions(rowGroupRowLimit: 1000))
        try writer.append([ColumnData(.int64(ids)), names])
        let bytes = try writer.finish()
        let path = try OracleDump.temporaryFile(bytes)
        let csv = try ProcessRunner.duckdb("SELECT count(*), min(id), max(id), count(name) FROM read_parquet('\(path)') WHERE id BETWEEN 12000 AND 25000")
        let truth = ids.indices.filter { ids[$0] >= 12000 && ids[$0] <= 25000 }
        let nonNullNames = truth.filter { $0 % 7 != 0 }.count
        #expect(csv.split(separator: "\n").last.map(String.init) == "\(truth.count),12000,25000,\(nonNullNames)")
        let plan = try ProcessRunner.duckdb("EXPLAIN ANALYZE SELECT count(*) FROM read_parquet('\(path)') WHERE id > 35000")
        #expect(plan.contains("Filters") || plan.contains("id>35000") || plan.contains("id > 35000"), "\(plan)")
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(reader.rowGroups(where: { $0.mayContain("id", from: .int64(12000), to: .int64(25000)) }) == [1, 2])
    }

    @Test func keyValueMetadataAndRowCountReachPyarrow() throws {
        let schema = ParquetSchema(columns: [ParquetColumn(name: "x", type: .int32)])
        let options = ParquetWriterOptions(keyValueMetadata: ["writer": "cryptoviz", "note": "héllo"])
        let bytes = try ParquetWriter.write(schema: schema, columns: [ColumnData(.int32([1, 2, 3]))], options: options)
        let dump = try OracleDump.read(try OracleDump.temporaryFile(bytes), engine: .pyarrow)
        #expect(dump.key_value_metadata == ["writer": "cryptoviz", "note": "héllo"])
        #expect(dump.num_rows == 3)
    }

    @Test func largeDictionariesFallBackToPlain() throws {
        let rows = 5000
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "unique", type: .string),
            ParquetColumn(name: "repeated", type: .string),
        ])
        let unique = ColumnData(.string((0..<rows).map { "event-\($0)-\(String(repeating: "z", count: 30))" }))
        let repeated = ColumnData(.string((0..<rows).map { ["coingecko", "coincap", "binance"][$0 % 3] }))
        let options = ParquetWriterOptions(dictionaryPageByteLimit: 16 << 10)
        let bytes = try ParquetWriter.write(schema: schema, columns: [unique, repeated], options: options)
        let dump = try OracleDump.read(try OracleDump.temporaryFile(bytes), engine: .pyarrow)
        let chunk = try #require(dump.row_groups?.first?.columns)
        #expect(chunk["unique"]?.encodings?.contains("RLE_DICTIONARY") == false)
        #expect(chunk["repeated"]?.encodings?.contains("RLE_DICTIONARY") == true)
        #expect(dump.columns[0].values == unique.values.stringsForTest)
        #expect(dump.columns[1].values == repeated.values.stringsForTest)
    }

    @Test func summaryHoldsFileWideStatistics() throws {
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "price", type: .double, optional: true),
            ParquetColumn(name: "symbol", type: .string),
        ])
        var writer = try ParquetWriter(schema: schema, options: ParquetWriterOptions(rowGroupRowLimit: 2))
        try writer.append([.double([3.5, nil, .nan]), ColumnData(.string(["b", "a", "c"]))])
        try writer.append([.double([-1, nil]), ColumnData(.string(["é", "d"]))])
        let bytes = try writer.finish()
        let summary = try #require(writer.summary)
        #expect(summary.rowCount == 5)
        #expect(summary.rowGroupCount == 3)
        #expect(summary.fileSize == bytes.count)
        #expect(summary.statistics(of: "price") == ColumnStatistics(nullCount: 2, min: .double(-1), max: .double(3.5)))
        #expect(summary.statistics(of: "symbol") == ColumnStatistics(nullCount: 0, min: .string("a"), max: .string("é")))
    }

    @Test func rejectsInvalidBatches() throws {
        let schema = ParquetSchema(columns: [ParquetColumn(name: "x", type: .int64), ParquetColumn(name: "y", type: .int8, optional: true)])
        var writer = try ParquetWriter(schema: schema)
        #expect(throws: ParquetError.self) { try writer.append([.int64([nil]), .int32([1])]) }
        #expect(throws: ParquetError.self) { try writer.append([ColumnData(.int32([1])), .int32([1])]) }
        #expect(throws: ParquetError.self) { try writer.append([ColumnData(.int64([1, 2])), .int32([1])]) }
        #expect(throws: ParquetError.self) { try writer.append([ColumnData(.int64([1]))]) }
        try writer.append([ColumnData(.int64([1])), .int32([300])])
        #expect(throws: ParquetError.self) { _ = try writer.finish() }
        #expect(throws: ParquetError.self) { try ParquetWriter(schema: ParquetSchema(columns: [ParquetColumn(name: "a", type: .int32), ParquetColumn(name: "a", type: .int32)])) }
    }
}

extension ColumnValues {
    var stringsForTest: [String?] {
        guard case .string(let v) = self else { return [] }
        return v
    }
}

extension ColumnData {
    func slice(_ range: Range<Int>) -> ColumnData {
        let values: ColumnValues = switch self.values {
        case .boolean(let v): .boolean(Array(v[range]))
        case .int32(let v): .int32(Array(v[range]))
        case .int64(let v): .int64(Array(v[range]))
        case .float(let v): .float(Array(v[range]))
        case .double(let v): .double(Array(v[range]))
        case .string(let v): .string(Array(v[range]))
        case .utf8(let v): .utf8(v.slice(range))
        case .binary(let v): .binary(Array(v[range]))
        }
        return ColumnData(values, validity: validity.map { Array($0[range]) })
    }
}

/// The streaming writer hands its sink pieces of a few hundred KiB (pages drained as they are
/// written, so the kernel copies them while they are in cache); joined, they must be exactly
/// the in-memory writer's file, with offsets that a reader follows across many drains.
@Suite struct ParquetStreamingWriterTests {
    final class Pieces: @unchecked Sendable {
        var parts: [[UInt8]] = []
    }

    @Test func sinkPiecesJoinToTheInMemoryFile() throws {
        let rows = 120_000
        let table = RandomTable.make(seed: 11, rows: rows)
        // Small pages and several row groups: many drains inside one column chunk.
        let options = ParquetWriterOptions(rowGroupRowLimit: 50_000, dataPageByteLimit: 64 << 10)
        let pieces = Pieces()
        var streaming = try ParquetWriter(schema: table.schema, options: options) { pieces.parts.append($0) }
        var memory = try ParquetWriter(schema: table.schema, options: options)
        var offset = 0
        while offset < rows {
            let n = min(rows - offset, 30_000)
            let batch = table.columns.map { $0.slice(offset..<(offset + n)) }
            try streaming.append(batch)
            try memory.append(batch)
            offset += n
        }
        try streaming.close()
        let expected = try memory.finish()
        let joined = pieces.parts.flatMap { $0 }
        #expect(pieces.parts.count > 10, "the sink got \(pieces.parts.count) pieces")
        #expect(pieces.parts.dropFirst().dropLast().allSatisfy { $0.count <= 2 << 20 }, "pieces stay near the drain size")
        #expect(joined == expected)
        // Offsets and page checksums hold across the drains (the in-memory file is checked
        // against pyarrow and DuckDB above).
        let columns = try ParquetFileReader(bytes: joined).readColumns()
        #expect(columns.count == table.columns.count && columns.allSatisfy { $0.count == rows })
    }
}
