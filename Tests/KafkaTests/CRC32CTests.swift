import Testing
@testable import Kafka

@Suite struct CRC32CTests {
    @Test func matchesTheCastagnoliCheckValue() {
        // RFC 3720 B.4 / the CRC catalogue's check value for "123456789".
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func matchesTheRFC3720TestVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }
}

extension CRC32CTests {
    /// Bit by bit, straight from the polynomial: the reference for every length and alignment
    /// the eight-byte steps, the three streams and the byte tail can meet.
    static func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func agreesWithTheBitwiseDefinitionAtEveryLengthAndOffset() {
        var generator = SystemRandomNumberGenerator()
        // Past 1.5 KiB the checksum runs three streams and joins them: cover both sides of that
        // threshold, every remainder of the thirds, and the byte tail.
        let data = (0..<1800).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for offset in 0..<4 {
            for length in Array(0...64) + Array(1520...(data.count - offset)) {
                let slice = data[offset..<(offset + length)]
                let fast = slice.withUnsafeBytes { CRC32C.checksum($0) }
                #expect(fast == Self.bitwise(slice), "length \(length) offset \(offset)")
            }
        }
    }
}
