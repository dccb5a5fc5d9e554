import Foundation
import Parquet
import Testing
import TestSupport

/// Page CRC-32s (Parquet spec: `PageHeader.crc`): ours are written on every page and pyarrow
/// verifies them; pyarrow's are verified by our reader; a flipped bit is an error naming the
/// column and page, never a silently different value.
@Suite struct PageChecksumTests {
    static let options: [ParquetWriterOptions] = [
        ParquetWriterOptions(rowGroupRowLimit: 300, dataPageRowLimit: 100),
        ParquetWriterOptions(compression: .uncompressed, dictionary: false),
        ParquetWriterOptions(compression: .uncompressed, rowGroupRowLimit: 500),
    ]

    func read(_ path: String) throws -> ParquetFileReader {
        try ParquetFileReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func flip(_ path: String, column: String) throws {
        try ProcessRunner.oracle("parquet/page_checksums.py", ["flip", path, "--column", column])
    }

    @Test(arguments: options.indices)
    func pyarrowVerifiesOurChecksumsAndRejectsAFlippedBit(_ index: Int) throws {
        let table = RandomTable.make(seed: 40 + UInt64(index), rows: 1000)
        let bytes = try ParquetWriter.write(schema: table.schema, columns: table.columns, options: Self.options[index])
        let reader = try ParquetFileReader(bytes: bytes)
        let columns = try reader.readColumns()
        for (i, column) in table.schema.columns.enumerated() {
            #expect(Canonical.values(columns[i], type: column.type) == Canonical.values(table.columns[i], type: column.type))
        }
        let path = try OracleDump.temporaryFile(bytes)
        let verified = try ProcessRunner.oracle("parquet/page_checksums.py", ["verify", path]).stdout
        #expect(verified.contains("\"rows\": 1000"), "\(verified)")

        for column in ["price", "note"] {
            let damaged = try OracleDump.temporaryFile(bytes)
            try flip(damaged, column: column)
            let pyarrow = try ProcessRunner.run(try TestEnvironment.python(),
                                                [TestEnvironment.oracle("parquet/page_checksums.py"), "verify", damaged], check: false)
            #expect(pyarrow.status != 0 && pyarrow.stderr.lowercased().contains("crc"), "\(column): \(pyarrow.stderr)")
            let error = try #require(throws: ParquetError.self) { try read(damaged).readColumns() }
            #expect(error.code == .checksumMismatch)
            #expect(error.message.contains("column \(column), row group 0, page "), "\(error)")
        }
    }

    @Test(arguments: [["--data-page-version", "1.0"], ["--data-page-version", "2.0"],
                      ["--compression", "none", "--dictionary", "off"]])
    func verifiesPyarrowsChecksums(_ extra: [String]) throws {
        let dir = try TestEnvironment.temporaryDirectory("parquet-crc")
        let path = dir.appendingPathComponent("p.parquet").path
        try ProcessRunner.oracle("parquet/write_parquet.py", [path, "--rows", "1000", "--seed", "12", "--page-checksum"] + extra)
        let intact = try read(path).readColumns()
        let dump = try OracleDump.read(path, engine: .pyarrow)
        let f64 = try #require(dump.columns.first { $0.name == "f64" })
        let reader = try read(path)
        let index = try #require(reader.schema.index(of: "f64"))
        #expect(Canonical.values(intact[index], type: .double) == f64.values)

        try flip(path, column: "f64")
        let error = try #require(throws: ParquetError.self) { try read(path).readColumns(["f64"]) }
        #expect(error.code == .checksumMismatch, "\(error)")
        #expect(error.message.contains("column f64"), "\(error)")
        // Other columns' pages are intact and still read.
        #expect(try read(path).readColumns(["i32"]).first?.count == 1000)
    }

    /// The case: one flipped mantissa bit turned volume_24h 127542137.92 into
    /// 127542137.67, and without checksums nothing noticed.
    @Test func aFlippedBitInADataPageIsAnErrorNotADifferentValue() throws {
        let schema = ParquetSchema(columns: [ParquetColumn(name: "volume_24h", type: .double, optional: true)])
        let values: [Double?] = [1.5, 127_542_137.92, nil, 3.25]
        let plain = ParquetWriterOptions(compression: .uncompressed, dictionary: false)
        var unchecked = plain
        unchecked.pageChecksums = false
        for options in [plain, unchecked] {
            var bytes = try ParquetWriter.write(schema: schema, columns: [.double(values)], options: options)
            let pattern = withUnsafeBytes(of: (127_542_137.92).bitPattern.littleEndian) { Array($0) }
            let at = try #require(bytes.indices.first { bytes[$0..<min(bytes.count, $0 + 8)].elementsEqual(pattern) })
            bytes[at + 3] ^= 0x01  // mantissa bit 24: a quarter at this magnitude
            if options.pageChecksums {
                let error = try #require(throws: ParquetError.self) { try ParquetFileReader(bytes: bytes).readColumns() }
                #expect(error.code == .checksumMismatch)
                #expect(error.message.hasPrefix("column volume_24h, row group 0, page 0 (data page at offset 4)"), "\(error)")
            } else {
                let read = try ParquetFileReader(bytes: bytes).readColumns()[0]
                #expect(read.value(at: 1) == .double(127_542_137.67), "the damage these checksums exist to catch")
            }
        }
    }

    @Test func verifyDecodesEveryPage() throws {
        let table = RandomTable.make(seed: 5, rows: 400)
        var bytes = try ParquetWriter.write(schema: table.schema, columns: table.columns,
                                            options: ParquetWriterOptions(rowGroupRowLimit: 100))
        try ParquetFileReader(bytes: bytes).verify()
        let path = try OracleDump.temporaryFile(bytes)
        try flip(path, column: "at_us")
        bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let error = try #require(throws: ParquetError.self) { try ParquetFileReader(bytes: bytes).verify() }
        #expect(error.code == .checksumMismatch && error.message.contains("column at_us, row group 0"), "\(error)")
    }
}
