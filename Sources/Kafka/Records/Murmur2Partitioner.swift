/// Maps record keys to partitions exactly as the Java client's default partitioner and
/// librdkafka's `murmur2_random`: `(murmur2(key) & 0x7fffffff) % partitionCount`.
///
/// Keeping the same mapping matters: mixed Java/C/Swift producers must put one key in one partition.
public enum Murmur2Partitioner {
    /// MurmurHash2 (32-bit, seed 0x9747b28c) as in `org.apache.kafka.common.utils.Utils.murmur2`.
    public static func murmur2(_ data: [UInt8]) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            let o = i * 4
            var k = UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = blocks * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition index for `key` among `partitionCount` partitions; a nil key gets a random one.
    public static func partition(for key: [UInt8]?, partitionCount: Int) -> Int32 {
        guard partitionCount > 0 else { return 0 }
        guard let key else { return Int32.random(in: 0..<Int32(partitionCount)) }
        return Int32((Int(murmur2(key)) & 0x7fff_ffff) % partitionCount)
    }
}
