import Testing
@testable import Kafka

@Suite struct Murmur2PartitionerTests {
    // The vectors of Kafka's UtilsTest.testMurmur2 (Java client).
    @Test(arguments: [
        ("21", Int32(-973932308)), ("foobar", -790332482), ("a-little-bit-long-string", -985981536),
        ("a-little-bit-longer-string", -1486304829), ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
        ("abc", 479470107),
    ])
    func hashesLikeTheJavaClient(input: String, expected: Int32) {
        #expect(Murmur2Partitioner.murmur2(Array(input.utf8)) == expected)
    }

    @Test func partitionIsPositiveHashModuloCount() {
        #expect(Murmur2Partitioner.partition(for: Array("21".utf8), partitionCount: 7) == Int32((-973932308 & 0x7fffffff) % 7))
        for n in 1...16 {
            #expect((0..<n).contains(Int(Murmur2Partitioner.partition(for: nil, partitionCount: n))))
        }
    }
}
