import Testing
@testable import Parquet
import TestSupport

@Suite struct RLEHybridTests {
    @Test(arguments: [0, 1, 2, 3, 7, 8, 13, 20, 32])
    func roundTripsMixedRunsAtEveryWidth(_ width: Int) throws {
        var g = SeededGenerator(seed: UInt64(width) + 1)
        let maxValue: UInt64 = width == 0 ? 0 : (1 << UInt64(width)) - 1
        var values = [UInt32]()
        while values.count < 5000 {
            let v = UInt32(UInt64.random(in: 0...maxValue, using: &g))
            let run = Bool.random(using: &g) ? Int.random(in: 1...40, using: &g) : 1
            values.append(contentsOf: repeatElement(v, count: run))
        }
        var encoded = [UInt8]()
        RLEHybridEncoder.encode(count: values.count, bitWidth: width, into: &encoded) { values[$0] }
        var decoded = [UInt32](repeating: 0, count: values.count)
        try encoded.withUnsafeBufferPointer { src in
            try decoded.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: width, count: values.count, into: $0) }
        }
        #expect(decoded == values)
    }

    @Test func rejectsTruncatedRuns() {
        var encoded = [UInt8]()
        RLEHybridEncoder.encode(count: 100, bitWidth: 5, into: &encoded) { UInt32($0 % 31) }
        var out = [UInt32](repeating: 0, count: 100)
        #expect(throws: ParquetError.self) {
            try Array(encoded.prefix(encoded.count / 2)).withUnsafeBufferPointer { src in
                try out.withUnsafeMutableBufferPointer { try RLEHybridDecoder.decode(src, bitWidth: 5, count: 100, into: $0) }
            }
        }
    }
}
