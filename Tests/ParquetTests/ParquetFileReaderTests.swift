import Foundation
import Parquet
import Testing
import TestSupport

@Suite struct ParquetFileReaderTests {
    struct ForeignFile: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let foreignFiles: [ForeignFile] = [
        ["--engine", "pyarrow", "--seed", "1"],
        ["--engine", "pyarrow", "--seed", "2", "--dictionary", "off"],
        ["--engine", "pyarrow", "--seed", "3", "--data-page-version", "2.0"],
        ["--engine", "pyarrow", "--seed", "4", "--data-page-version", "2.0", "--dictionary", "off", "--compression", "none"],
        ["--engine", "pyarrow", "--seed", "5", "--row-group-size", "300", "--compression", "none"],
        ["--engine", "pyarrow", "--seed", "6", "--data-page-version", "2.0", "--delta"],
        ["--engine", "pyarrow", "--seed", "7", "--delta", "--row-group-size", "250"],
        ["--engine", "duckdb", "--seed", "8"],
        ["--engine", "duckdb", "--seed", "9", "--compression", "none", "--row-group-size", "2048"],
        ["--engine", "duckdb", "--seed", "10", "--data-page-version", "2.0"],
    ].map(ForeignFile.init)

    @Test(arguments: foreignFiles)
    func readsFilesFromReferenceWriters(_ file: ForeignFile) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-foreign")
        let path = dir.appendingPathComponent("f.parquet").path
        try ProcessRunner.oracle("parquet/write_parquet.py", [path, "--rows", "1000"] + file.arguments)
        let reader = try ParquetFileReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        // Each writer's file is dumped by the same engine: pyarrow 26 cannot read DuckDB's
        // V2 files ("InitBlock EOF"), DuckDB reads its own.
        let engine: OracleDump.Engine = file.arguments.contains("duckdb") ? .duckdb : .pyarrow
        let dump = try OracleDump.read(path, engine: engine)
        let columns = try reader.readColumns()
        try #require(reader.schema.columns.count == dump.columns.count)
        #expect(reader.rowCount == 1000)
        for (i, column) in reader.schema.columns.enumerated() {
            #expect(column.name == dump.columns[i].name)
            #expect(Canonical.typeName(column.type, engine: engine) == dump.columns[i].type, "\(column.name)")
            #expect(Canonical.values(columns[i], type: column.type, engine: engine) == dump.columns[i].values, "column \(column.name)")
        }
    }

    @Test func namesAnUnsupportedCodec() throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-zstd")
        let path = dir.appendingPathComponent("z.parquet").path
        try ProcessRunner.oracle("parquet/write_parquet.py", [path, "--rows", "10", "--compression", "zstd"])
        let reader = try ParquetFileReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let error = try #require(throws: ParquetError.self) { try reader.readColumns(["i32"]) }
        #expect(error.message == "unsupported codec ZSTD in column i32")
    }

    @Test(arguments: [21, 22, 23] as [UInt64])
    func readsBackItsOwnFiles(_ seed: UInt64) throws {
        print("ParquetFileReaderTests seed \(seed)")
        let table = RandomTable.make(seed: seed, rows: 1500)
        let options = ParquetWriterOptions(compression: seed % 2 == 0 ? .snappy : .uncompressed, rowGroupRowLimit: 400, dataPageRowLimit: 150)
        let bytes = try ParquetWriter.write(schema: table.schema, columns: table.columns, options: options)
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(reader.schema == table.schema)
        #expect(reader.rowGroups.count == 4)
        let columns = try reader.readColumns()
        for (i, column) in table.schema.columns.enumerated() {
            #expect(Canonical.values(columns[i], type: column.type) == Canonical.values(table.columns[i], type: column.type), "\(column.name)")
        }
    }

    @Test func projectsColumnsAndRowGroups() throws {
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "a", type: .int64),
            ParquetColumn(name: "b", type: .string, optional: true),
        ])
        let a = ColumnData(.int64(Array(0..<10)))
        let b = ColumnData.string((0..<10).map { $0 % 3 == 0 ? nil : "v\($0)" })
        let bytes = try ParquetWriter.write(schema: schema, columns: [a, b], options: ParquetWriterOptions(rowGroupRowLimit: 4))
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(reader.rowGroups.map(\.rowCount) == [4, 4, 2])
        let picked = try reader.readColumns(["b", "a"], rowGroups: [2, 0])
        #expect(picked[1] == ColumnData(.int64([8, 9, 0, 1, 2, 3])))
        #expect(picked[0] == ColumnData.string(["v8", nil, nil, "v1", "v2", nil]))
        #expect(throws: ParquetError.self) { try reader.readColumns(["nope"]) }
        #expect(throws: ParquetError.self) { try reader.readColumns(nil, rowGroups: [3]) }
    }

    @Test func prunesRowGroupsWithStatistics() throws {
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "t", type: .timestampMillis),
            ParquetColumn(name: "s", type: .string),
        ])
        let t = ColumnData(.int64((0..<30).map { Int64($0) * 1000 }))
        let s = ColumnData(.string((0..<30).map { ["apple", "banana", "cherry"][$0 / 10] }))
        let bytes = try ParquetWriter.write(schema: schema, columns: [t, s], options: ParquetWriterOptions(rowGroupRowLimit: 10))
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(reader.rowGroups[1].statistics(of: "t") == ColumnStatistics(nullCount: 0, min: .int64(10_000), max: .int64(19_000)))
        #expect(reader.rowGroups(where: { $0.mayContain("t", from: .int64(15_000)) }) == [1, 2])
        #expect(reader.rowGroups(where: { $0.mayContain("s", from: .string("b"), to: .string("bz")) }) == [1])
        #expect(reader.rowGroups(where: { $0.mayContain("t", to: .int64(-1)) }) == [])
    }

    @Test func rejectsFilesThatAreNotParquet() {
        #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: []) }
        #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: Array("PAR1PAR1PAR1".utf8)) }
        #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: Array("PAR1\u{0}\u{0}\u{0}\u{0}\u{FF}\u{0}\u{0}\u{0}PAR1".utf8)) }
    }
}
