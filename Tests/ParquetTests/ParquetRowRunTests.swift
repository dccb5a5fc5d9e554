import Testing
@testable import Parquet

/// Reads narrowed to runs of rows return exactly those rows, skip the data pages outside
/// them unread (a damaged page there goes unnoticed; one inside is still caught), and
/// `rowsEqual` matches a string column without decoding it to strings.
@Suite struct ParquetRowRunTests {
    static func file(dictionary: Bool = true) throws -> [UInt8] {
        let rows = 5000
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "id", type: .int64),
            ParquetColumn(name: "name", type: .string, optional: true),
            ParquetColumn(name: "price", type: .double),
            ParquetColumn(name: "flag", type: .boolean),
        ])
        let options = ParquetWriterOptions(compression: .snappy, rowGroupRowLimit: 1000, dataPageRowLimit: 100, dictionary: dictionary)
        var writer = try ParquetWriter(schema: schema, options: options)
        try writer.append([
            ColumnData(.int64((0..<rows).map { Int64($0) })),
            ColumnData.string((0..<rows).map { $0 % 7 == 0 ? nil : "n\($0 / 300)" }),
            ColumnData(.double((0..<rows).map { Double($0) * 1.5 })),
            ColumnData(.boolean((0..<rows).map { $0 % 3 == 0 })),
        ])
        return try writer.finish()
    }

    @Test(arguments: [true, false])
    func runsReadExactlyTheirRows(dictionary: Bool) throws {
        let reader = try ParquetFileReader(bytes: try Self.file(dictionary: dictionary))
        let runs = [ParquetRowRange(rowGroup: 0, rows: 0..<1), ParquetRowRange(rowGroup: 1, rows: 95..<305),
                    ParquetRowRange(rowGroup: 3, rows: nil), ParquetRowRange(rowGroup: 4, rows: 999..<1000),
                    ParquetRowRange(rowGroup: 2, rows: 100..<200)]
        let narrowed = try reader.readColumns(nil, rows: runs)
        for (c, column) in narrowed.enumerated() {
            var expected: [ColumnData] = []
            for run in runs {
                let whole = try reader.readColumns([reader.schema.columns[c].name], rowGroups: [run.rowGroup])[0]
                expected.append(run.rows.map { whole.rows($0) } ?? whole)
            }
            #expect(column == (try ColumnData.joined(expected)), "column \(reader.schema.columns[c].name)")
        }
        #expect(narrowed[0].count == 1 + 210 + 1000 + 1 + 100)
    }

    @Test func pagesOutsideTheRunAreNotRead() throws {
        var bytes = try Self.file()
        let clean = try ParquetFileReader(bytes: bytes)
        // The chunk's last bytes belong to its last data page: rows 900..<1000 of group 0.
        let chunk = try clean.chunkRanges(["price"], rowGroups: [0])[0]
        bytes[chunk.upperBound - 1] ^= 0xFF
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(throws: ParquetError.self) { try reader.readColumns(["price"], rowGroups: [0]) }
        let early = try reader.readColumns(["price"], rows: [ParquetRowRange(rowGroup: 0, rows: 10..<250)])
        #expect(early[0] == (try clean.readColumns(["price"], rowGroups: [0]))[0].rows(10..<250))
        do {
            _ = try reader.readColumns(["price"], rows: [ParquetRowRange(rowGroup: 0, rows: 950..<960)])
            Issue.record("a damaged page inside the run was read without complaint")
        } catch let error as ParquetError {
            #expect(error.code == .checksumMismatch)
        }
    }

    @Test func runsOutsideTheGroupAreRefused() throws {
        let reader = try ParquetFileReader(bytes: try Self.file())
        for bad in [0..<0, 990..<1001, -1..<5] {
            #expect(throws: ParquetError.self) { try reader.readColumns(["id"], rows: [ParquetRowRange(rowGroup: 0, rows: bad)]) }
        }
        #expect(throws: ParquetError.self) { try reader.readColumns(["id"], rows: [ParquetRowRange(rowGroup: 5, rows: 0..<1)]) }
    }

    @Test(arguments: [true, false])
    func rowsEqualMatchesTheDecodedStrings(dictionary: Bool) throws {
        let bytes = try Self.file(dictionary: dictionary)
        let reader = try ParquetFileReader(bytes: bytes)
        let footer = try ParquetFileReader.footerSize(tail: Array(bytes.suffix(8)))
        let ranged = try ParquetFileReader(tail: Array(bytes.suffix(footer)), fileSize: bytes.count)
        for group in 0..<5 {
            let names = try reader.readColumns(["name"], rowGroups: [group])[0]
            let fetched = try ranged.chunkRanges(["name"], rowGroups: [group]).map { ParquetFetchedRange(offset: $0.lowerBound, bytes: Array(bytes[$0])) }
            for value in ["n3", "n16", "absent", ""] {
                guard case .string(let strings) = names.values else { Issue.record("not strings"); return }
                let expected = strings.indices.map { !names.isNull($0) && strings[$0] == value }
                #expect(try reader.rowsEqual("name", value, rowGroup: group) == expected, "group \(group), \(value)")
                #expect(try ranged.rowsEqual("name", value, rowGroup: group, fetched: fetched) == expected)
            }
        }
        #expect(throws: ParquetError.self) { try reader.rowsEqual("price", "1", rowGroup: 0) }
        #expect(throws: ParquetError.self) { try reader.rowsEqual("nope", "1", rowGroup: 0) }
    }
}
