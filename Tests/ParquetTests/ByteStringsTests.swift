import Foundation
import Parquet
import Testing

/// String columns held in one buffer (`ColumnValues.utf8`), as compaction reads and writes its
/// event ids: the same file as from `[String]`, and the same strings read back.
@Suite struct ByteStringsTests {
    static let options: [ParquetWriterOptions] = [
        ParquetWriterOptions(),
        ParquetWriterOptions(compression: .uncompressed, rowGroupRowLimit: 200, dataPageRowLimit: 64),
        ParquetWriterOptions(rowGroupRowLimit: 128, dictionary: false),
        ParquetWriterOptions(rowGroupRowLimit: 700, dataPageRowLimit: 100, dictionaryPageByteLimit: 64),
    ]

    /// Every string column of `columns` as one buffer, validity kept.
    static func inOneBuffer(_ columns: [ColumnData]) -> [ColumnData] {
        columns.map { data in
            guard case .string(let v) = data.values else { return data }
            return ColumnData(.utf8(ByteStrings(v)), validity: data.validity)
        }
    }

    @Test(arguments: Array(options.enumerated().map { ($0.offset + 1, $0.element) }))
    func aColumnInOneBufferWritesTheSameBytesAsStrings(_ seed: Int, _ options: ParquetWriterOptions) throws {
        let table = RandomTable.make(seed: UInt64(seed), rows: 1_500)
        let fromStrings = try ParquetWriter.write(schema: table.schema, columns: table.columns, options: options)
        let fromBuffers = try ParquetWriter.write(schema: table.schema, columns: Self.inOneBuffer(table.columns), options: options)
        // Same pages, encodings, dictionaries and statistics (min/max in byte order, null counts).
        #expect(fromBuffers == fromStrings, "seed \(seed)")
    }

    @Test(arguments: Array(options.enumerated().map { ($0.offset + 11, $0.element) }))
    func readingIntoOneBufferGivesTheSameStrings(_ seed: Int, _ options: ParquetWriterOptions) throws {
        let table = RandomTable.make(seed: UInt64(seed), rows: 1_500)
        let bytes = try ParquetWriter.write(schema: table.schema, columns: table.columns, options: options)
        let names = table.schema.columns.filter { $0.type == .string }.map(\.name)
        try #require(!names.isEmpty)
        let plain = try ParquetFileReader(bytes: bytes).readColumns()
        var reader = try ParquetFileReader(bytes: bytes)
        reader.stringsInOneBuffer = Set(names)
        let buffered = try reader.readColumns()
        // The same through the task-local default, as compaction asks for it.
        let scoped = try ParquetFileReader.$stringsInOneBufferByDefault.withValue(Set(names)) {
            try ParquetFileReader(bytes: bytes).readColumns()
        }
        for (i, column) in table.schema.columns.enumerated() {
            if column.type == .string {
                guard case .utf8(let v) = buffered[i].values, case .utf8(let w) = scoped[i].values else {
                    Issue.record("\(column.name) not read into one buffer")
                    continue
                }
                #expect(v.strings() == plain[i].values.strings, "\(column.name), seed \(seed)")
                #expect(w == v)
                #expect(buffered[i].validity == plain[i].validity, "\(column.name) nulls")
                #expect((0..<v.count).map { buffered[i].value(at: $0) } == (0..<v.count).map { plain[i].value(at: $0) })
            } else {
                // (NaN is never equal to itself: compare the printed values.)
                let same = String(describing: buffered[i]) == String(describing: plain[i])
                #expect(same, "\(column.name)")
            }
        }
    }

    @Test func sliceJoinAndGatherKeepEveryValue() {
        let words = ["", "a", "héllo", "he\u{301}llo", "日本語", "🚀 moon", String(repeating: "x", count: 40), "", "\u{0}nul"]
        let all = ByteStrings(words)
        #expect(all.count == words.count)
        #expect(all.strings() == words)
        #expect(all.slice(2..<6).strings() == Array(words[2..<6]))
        #expect(all.slice(3..<3).strings() == [])
        let parts = [all.slice(0..<4), all.slice(4..<4), all.slice(4..<9)]
        #expect(ByteStrings.joined(parts) == all)
        let picks = [(2, 4), (0, 0), (0, 3), (2, 0), (2, 2), (0, 1)]
        let gathered = ByteStrings.gathered(parts, count: picks.count) { (picks[$0].0, picks[$0].1) }
        #expect(gathered.strings() == [words[8], words[0], words[3], words[4], words[6], words[1]])
        #expect(ByteStrings.gathered(parts, count: 0) { _ in (0, 0) }.strings() == [])
    }

    @Test func joiningBufferedAndStringPartsGivesStrings() throws {
        let joined = try ColumnData.joined([
            ColumnData(.utf8(ByteStrings(["a", "b"]))),
            ColumnData(.string(["c"])),
        ])
        #expect(joined.values == .string(["a", "b", "c"]))
        let buffers = try ColumnData.joined([ColumnData(.utf8(ByteStrings(["a"]))), ColumnData(.utf8(ByteStrings(["b", ""])))])
        #expect(buffers.values == .utf8(ByteStrings(["a", "b", ""])))
    }
}
