import Checksums

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batch v2
/// (Kafka protocol guide, "Record Batch": crc covers attributes to the end of the batch).
enum CRC32C {
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { ReflectedCRC32.castagnoli.checksum(bytes) }
    static func checksum(_ bytes: [UInt8]) -> UInt32 { ReflectedCRC32.castagnoli.checksum(bytes) }
}
