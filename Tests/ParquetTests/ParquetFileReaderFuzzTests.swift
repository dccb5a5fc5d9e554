import Parquet
import Testing
import TestSupport

/// Mutated files must produce a thrown `ParquetError` or a result, never a crash or a hang.
@Suite struct ParquetFileReaderFuzzTests {
    static func seedFiles() throws -> [[UInt8]] {
        let table = RandomTable.make(seed: 99, rows: 120)
        return try [
            ParquetWriter.write(schema: table.schema, columns: table.columns, options: ParquetWriterOptions(rowGroupRowLimit: 50, dataPageRowLimit: 30)),
            ParquetWriter.write(schema: table.schema, columns: table.columns, options: ParquetWriterOptions(compression: .uncompressed, dictionary: false)),
        ]
    }

    @Test func survivesThousandsOfMutatedFiles() throws {
        let seed: UInt64 = 0xC0FFEE
        print("ParquetFileReaderFuzzTests seed \(seed)")
        var g = SeededGenerator(seed: seed)
        let originals = try Self.seedFiles()
        var outcomes = (ok: 0, failed: 0)
        for iteration in 0..<4000 {
            var bytes = originals[iteration % originals.count]
            switch Int.random(in: 0..<5, using: &g) {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &g) {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] ^= 1 << UInt8.random(in: 0..<8, using: &g)
                }
            case 1:
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &g))
            case 2:
                // Overwrite a 4-byte field with an extreme or random length.
                let at = Int.random(in: 0..<(bytes.count - 4), using: &g)
                let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, UInt32.random(in: 0...0xFFFF, using: &g)].randomElement(using: &g)!
                for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            case 3:
                // Corrupt the footer, where lengths and offsets live.
                let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
                let start = max(4, bytes.count - 8 - footerLength)
                for _ in 0..<Int.random(in: 1...4, using: &g) {
                    bytes[Int.random(in: start..<(bytes.count - 8), using: &g)] = UInt8.random(in: 0...255, using: &g)
                }
            default:
                // Insert varint-looking garbage into the middle.
                let at = Int.random(in: 4..<(bytes.count - 8), using: &g)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...6, using: &g)).map { _ in UInt8.random(in: 0x80...0xFF, using: &g) }, at: at)
            }
            do {
                let reader = try ParquetFileReader(bytes: bytes)
                _ = try reader.readColumns()
                outcomes.ok += 1
            } catch is ParquetError {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.failed > 1000, "most mutations must be detected: \(outcomes)")
    }
}
