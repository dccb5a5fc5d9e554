import Foundation
import Snappy
import Testing
import TestSupport

@Suite struct SnappyTests {
    static func samples() -> [[UInt8]] {
        var g = SeededGenerator(seed: 7)
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &g) }
        let text = Array(String(repeating: "BTC,ETH,coingecko,42.5;", count: 8000).utf8)
        let runs = (0..<200_000).map { UInt8(($0 / 1000) % 3) }
        let mixed = (0..<70_000).map { i in i % 97 < 50 ? UInt8(i % 7) : UInt8.random(in: 0...255, using: &g) }
        return [[], [1], Array("abcd".utf8), random, text, runs, mixed]
    }

    @Test func roundTripsItsOwnOutput() throws {
        for sample in Self.samples() {
            let compressed = Snappy.compress(sample)
            let back = try compressed.withUnsafeBufferPointer { try Snappy.decompress($0, maxLength: sample.count) }
            #expect(back == sample)
        }
        #expect(Snappy.compress(Self.samples()[4]).count < Self.samples()[4].count / 10)
    }

    /// Periodic data of every period from 1 to 40 and lengths around the word and block sizes
    /// reaches each copy path of the decompressor (byte loop, overlapping words, memmove) and
    /// the literal fast path near the end of the output.
    @Test func roundTripsEveryCopyShape() throws {
        var g = SeededGenerator(seed: 11)
        for period in 1...40 {
            let pattern = (0..<period).map { _ in UInt8.random(in: 0...255, using: &g) }
            for length in [7, 8, 9, 15, 16, 17, 63, 64, 65, 1_000, 65_535, 65_536, 65_537, 140_000] {
                var sample = (0..<length).map { pattern[$0 % period] }
                // A few random bytes break the runs into copies of many lengths.
                for _ in 0..<(length / 500) { sample[Int.random(in: 0..<length, using: &g)] = UInt8.random(in: 0...255, using: &g) }
                let compressed = Snappy.compress(sample)
                let back = try compressed.withUnsafeBufferPointer { try Snappy.decompress($0, maxLength: sample.count) }
                #expect(back == sample, "period \(period), length \(length)")
            }
        }
    }

    @Test func interoperatesWithPyarrowSnappy() throws {
        let dir = try TestEnvironment.temporaryDirectory("snappy")
        for (i, sample) in Self.samples().enumerated() {
            let raw = dir.appendingPathComponent("raw\(i)")
            let ours = dir.appendingPathComponent("ours\(i)")
            let theirs = dir.appendingPathComponent("theirs\(i)")
            let check = dir.appendingPathComponent("check\(i)")
            try Data(sample).write(to: raw)
            try Data(Snappy.compress(sample)).write(to: ours)
            try ProcessRunner.oracle("parquet/snappy_oracle.py", ["decompress", ours.path, check.path, "\(sample.count)"])
            #expect(Array(try Data(contentsOf: check)) == sample, "pyarrow decompresses our sample \(i)")
            try ProcessRunner.oracle("parquet/snappy_oracle.py", ["compress", raw.path, theirs.path])
            let theirBytes = Array(try Data(contentsOf: theirs))
            #expect(try theirBytes.withUnsafeBufferPointer { try Snappy.decompress($0, maxLength: sample.count) } == sample)
            // Compression on a par with the reference implementation (pyarrow's snappy): within 2 % of its size.
            let oursCount = Snappy.compress(sample).count
            #expect(Double(oursCount) <= Double(theirBytes.count) * 1.02 + 8, "sample \(i): \(oursCount) bytes vs the reference's \(theirBytes.count)")
        }
    }

    @Test func rejectsCorruptInput() {
        let bad: [[UInt8]] = [[], [0x80], [5, 0x01, 0x00], [10, 0x0C, 1, 2], [4, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF]]
        for b in bad {
            #expect(throws: SnappyError.self) { try b.withUnsafeBufferPointer { try Snappy.decompress($0, maxLength: 1 << 20) } }
        }
    }
}
