import Foundation
import Parquet
import Testing
import TestSupport

/// `ParquetFileReader.readRecords` on nested files from pyarrow and on mutated files.
@Suite struct ParquetFileReaderNestedTests {
    struct Variant: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let variants: [Variant] = [
        ["--seed", "41"],
        ["--seed", "42", "--legacy-names", "--data-page-version", "2.0"],
        ["--seed", "43", "--dictionary", "off", "--compression", "none", "--row-group-size", "70"],
    ].map(Variant.init)

    @Test(arguments: variants)
    func readsPyarrowNestedFilesValueForValue(_ variant: Variant) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-nested")
        let path = dir.appendingPathComponent("n.parquet").path
        try ProcessRunner.oracle("parquet/nested_parquet.py", ["write", path, "--rows", "400"] + variant.arguments)
        let reader = try ParquetFileReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let dump = try NestedTable.dump(path)
        let records = try reader.readRecords()
        try #require(records.count == dump.rows.count)
        for (i, record) in records.enumerated() {
            #expect(NestedTable.tree(record, reader.fields) == dump.rows[i], "record \(i)")
        }
        // Lists and maps are recognised whatever the element names.
        #expect(reader.fields.map(\.name) == NestedTable.fields.map(\.name))
        if case .map? = reader.fields.first(where: { $0.name == "tags" })?.kind {} else { Issue.record("tags is not a map") }
        if case .list? = reader.fields.first(where: { $0.name == "items" })?.kind {} else { Issue.record("items is not a list") }
        // The flat API still sees the top-level primitive columns.
        #expect(reader.schema.columns.map(\.name) == ["id", "name"])
        #expect(try reader.readColumns(["id"])[0].values == .int64((0..<400).map(Int64.init)))
    }

    @Test func projectionDecodesOnlyTheSelectedMembers() throws {
        let records = NestedTable.records(seed: 44, count: 50)
        let reader = try ParquetFileReader(bytes: try ParquetRecordWriter.write(fields: NestedTable.fields, rows: records))
        let projected = try reader.readRecords(columns: ["point.label", "tags"])
        for (i, record) in records.enumerated() {
            var expected = ParquetRecord()
            if let tags = record["tags"] { expected["tags"] = tags }
            if case .group(let p)? = record["point"] { expected["point"] = .group(p["label"].map { ["label": $0] } ?? [:]) }
            #expect(projected[i] == expected, "record \(i)")
        }
    }

    @Test func survivesThousandsOfMutatedNestedFiles() throws {
        let seed: UInt64 = 0xBADC0DE
        print("ParquetFileReaderNestedTests seed \(seed)")
        var g = SeededGenerator(seed: seed)
        let records = NestedTable.records(seed: 45, count: 60)
        let originals = try [
            ParquetRecordWriter.write(fields: NestedTable.fields, rows: records, options: ParquetWriterOptions(rowGroupRowLimit: 25, dataPageRowLimit: 10)),
            ParquetRecordWriter.write(fields: NestedTable.fields, rows: records, options: ParquetWriterOptions(compression: .uncompressed, dictionary: false)),
        ]
        var outcomes = (ok: 0, failed: 0)
        for iteration in 0..<3000 {
            var bytes = originals[iteration % originals.count]
            switch Int.random(in: 0..<3, using: &g) {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &g) {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] ^= 1 << UInt8.random(in: 0..<8, using: &g)
                }
            case 1:
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &g))
            default:
                let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
                let start = max(4, bytes.count - 8 - footerLength)
                for _ in 0..<Int.random(in: 1...4, using: &g) {
                    bytes[Int.random(in: start..<(bytes.count - 8), using: &g)] = UInt8.random(in: 0...255, using: &g)
                }
            }
            do {
                _ = try ParquetFileReader(bytes: bytes).readRecords()
                outcomes.ok += 1
            } catch is ParquetError {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.failed > 1000)
        print("nested fuzz: \(outcomes.ok) read, \(outcomes.failed) rejected")
    }
}
