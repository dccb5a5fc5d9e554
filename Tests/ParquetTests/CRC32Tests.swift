import Foundation
import Testing
import TestSupport
@testable import Parquet

@Suite struct CRC32Tests {
    /// Bit by bit, straight from the definition: the reference the sliced tables must equal.
    static func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test func matchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func slicedTablesEqualTheBitwiseDefinitionAtEveryLengthAndAlignment() {
        var g = SeededGenerator(seed: 32)
        let buffer = (0..<300).map { _ in UInt8.random(in: 0...255, using: &g) }
        for start in 0..<8 {
            for length in 0..<(buffer.count - start) {
                let slice = Array(buffer[start..<(start + length)])
                if CRC32.checksum(slice) != Self.bitwise(slice) {
                    Issue.record("start \(start) length \(length): \(CRC32.checksum(slice)) vs \(Self.bitwise(slice))")
                    return
                }
            }
        }
    }

    /// From 1536 bytes on the buffer is split into three streams joined by shifts.
    @Test(arguments: [1535, 1536, 1537, 1543, 1544, 4099, 65_536, 100_003])
    func threeStreamsEqualTheBitwiseDefinition(_ length: Int) {
        var g = SeededGenerator(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
        #expect(CRC32.checksum(bytes) == Self.bitwise(bytes))
    }

    @Test func agreesWithZlib() throws {
        var g = SeededGenerator(seed: 7)
        let bytes = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &g) }
        let path = try OracleDump.temporaryFile(bytes, name: "crc.bin")
        let script = "import sys, zlib; print(zlib.crc32(open(sys.argv[1], 'rb').read()))"
        let zlib = try ProcessRunner.run(try TestEnvironment.python(), ["-c", script, path]).stdout
        #expect(UInt32(zlib.trimmingCharacters(in: .whitespacesAndNewlines)) == CRC32.checksum(bytes))
    }
}
