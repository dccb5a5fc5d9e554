import Foundation
import Parquet
import Testing
import TestSupport

@Suite struct ParquetRecordWriterTests {
    @Test(arguments: [(31, ParquetWriterOptions()),
                      (32, ParquetWriterOptions(compression: .uncompressed, rowGroupRowLimit: 170, dataPageRowLimit: 40, dictionary: false))]
          as [(UInt64, ParquetWriterOptions)])
    func pyarrowReadsNestedRecordsValueForValue(_ seed: UInt64, _ options: ParquetWriterOptions) throws {
        print("ParquetRecordWriterTests seed \(seed)")
        let records = NestedTable.records(seed: seed, count: 600)
        let bytes = try ParquetRecordWriter.write(fields: NestedTable.fields, rows: records, options: options)
        let path = try OracleDump.temporaryFile(bytes, name: "nested.parquet")
        let dump = try NestedTable.dump(path)
        #expect(dump.types["tags"] == "map<string, string ('tags')>")
        #expect(dump.types["items"] == "list<element: struct<k: string not null, v: list<element: string>>>")
        #expect(dump.types["flags"] == "list<element: bool not null>")
        try #require(dump.rows.count == records.count)
        for (i, record) in records.enumerated() {
            #expect(dump.rows[i] == NestedTable.tree(record, NestedTable.fields), "record \(i)")
        }
        // And it reads back itself, identically.
        let back = try ParquetFileReader(bytes: bytes).readRecords()
        #expect(back == records)
    }

    @Test func rejectsRecordsThatDoNotFitTheSchema() throws {
        let fields: [ParquetField] = [.primitive("id", .int64, optional: false), .list("l", element: .primitive(.string), elementOptional: false)]
        let cases: [(ParquetRecord, String)] = [
            ([:], "required field id is null"),
            (["id": .int64(1), "x": .int64(2)], "record has field x, which the schema lacks"),
            (["id": .string("a")], "column id of type int64 given \"a\""),
            (["id": .int64(1), "l": .list([.null])], "required field element is null"),
            (["id": .int64(1), "l": .string("a")], "field l needs a list, got \"a\""),
        ]
        for (record, message) in cases {
            let error = try #require(throws: ParquetError.self) { try ParquetRecordWriter.write(fields: fields, rows: [record]) }
            #expect(error.message == message)
        }
    }
}
