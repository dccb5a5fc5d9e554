import Testing
@testable import Parquet

/// A reader opened on the footer alone reads the same columns as the whole-file reader from
/// the chunk ranges it names, and refuses when the ranges it needs were not fetched.
@Suite struct ParquetRangedReadTests {
    static func file() throws -> [UInt8] {
        let rows = 5000
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "id", type: .int64),
            ParquetColumn(name: "name", type: .string, optional: true),
            ParquetColumn(name: "price", type: .double),
        ])
        var writer = try ParquetWriter(schema: schema, options: ParquetWriterOptions(compression: .snappy, rowGroupRowLimit: 1000))
        try writer.append([
            ColumnData(.int64((0..<rows).map { Int64($0) })),
            ColumnData.string((0..<rows).map { $0 % 5 == 0 ? nil : "n\($0 % 17)" }),
            ColumnData(.double((0..<rows).map { Double($0) * 1.5 })),
        ])
        return try writer.finish()
    }

    @Test func readsTheSameColumnsFromFetchedChunks() throws {
        let bytes = try Self.file()
        let whole = try ParquetFileReader(bytes: bytes)
        let footer = try ParquetFileReader.footerSize(tail: Array(bytes.suffix(8)))
        let reader = try ParquetFileReader(tail: Array(bytes.suffix(footer)), fileSize: bytes.count)
        #expect(reader.rowCount == whole.rowCount)
        for groups in [[1, 3], [0], [4, 2]] {
            let ranges = try reader.chunkRanges(["name", "price"], rowGroups: groups)
            #expect(ranges.allSatisfy { $0.upperBound <= bytes.count - footer })
            let fetched = ranges.map { ParquetFetchedRange(offset: $0.lowerBound, bytes: Array(bytes[$0])) }
            let ours = try reader.readColumns(["name", "price"], rowGroups: groups, fetched: fetched)
            #expect(ours == (try whole.readColumns(["name", "price"], rowGroups: groups)))
            // Less than the whole file: the id chunks were never needed.
            #expect(ranges.reduce(0) { $0 + $1.count } < bytes.count / 2)
        }
    }

    @Test func refusesChunksThatWereNotFetchedAndShortTails() throws {
        let bytes = try Self.file()
        let footer = try ParquetFileReader.footerSize(tail: Array(bytes.suffix(8)))
        let reader = try ParquetFileReader(tail: Array(bytes.suffix(footer)), fileSize: bytes.count)
        let ranges = try reader.chunkRanges(["price"], rowGroups: [0, 1])
        let partial = [ParquetFetchedRange(offset: ranges[0].lowerBound, bytes: Array(bytes[ranges[0]].dropLast()))]
        #expect(throws: ParquetError.self) { try reader.readColumns(["price"], rowGroups: [0, 1], fetched: partial) }
        #expect(throws: ParquetError.self) { try reader.readColumns(["price"], rowGroups: [0]) }
        #expect(throws: ParquetError.self) { try ParquetFileReader(tail: Array(bytes.suffix(footer - 1)), fileSize: bytes.count) }
        #expect(throws: ParquetError.self) { try ParquetFileReader.footerSize(tail: Array(bytes.prefix(100))) }
    }
}
