import Testing
@testable import Kafka
import Snappy

@Suite struct SnappyTests {
    static let samples: [[UInt8]] = [
        [],
        Array("a".utf8),
        Array(String(repeating: "hello kafka ", count: 5000).utf8),
        (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) },
        (0..<70_000).map { UInt8($0 % 7) },
    ]

    @Test(arguments: samples)
    func rawBlocksRoundTrip(input: [UInt8]) throws {
        let compressed = Snappy.compress(input)
        #expect(try SnappyFraming.decompress(compressed, limit: 1 << 24) == input)
    }

    @Test(arguments: samples)
    func xerialFramingRoundTrips(input: [UInt8]) throws {
        let framed = SnappyFraming.compress(input)
        #expect(Array(framed.prefix(8)) == SnappyFraming.xerialMagic)
        #expect(try SnappyFraming.decompress(framed, limit: 1 << 24) == input)
    }

    @Test func repetitiveInputShrinks() {
        let input = Array(String(repeating: "abcdefgh", count: 10_000).utf8)
        #expect(Snappy.compress(input).count < input.count / 10)
    }

    @Test func hostileInputThrowsInsteadOfTrapping() {
        // Declares 1000 bytes, then copies from before the start.
        #expect(throws: SnappyFraming.Failure.self) { try SnappyFraming.decompress([0xE8, 0x07, 0x01, 0x10], limit: 1 << 20) }
        // Declares more than the limit.
        #expect(throws: SnappyFraming.Failure.self) { try SnappyFraming.decompress([0xFF, 0xFF, 0xFF, 0x7F], limit: 1 << 20) }
        // Literal longer than the input.
        #expect(throws: SnappyFraming.Failure.self) { try SnappyFraming.decompress([0x05, 0x10, 0x61], limit: 1 << 20) }
    }
}
