import Checksums

/// CRC-32 as zlib, gzip and PNG compute it (IEEE 802.3, reflected polynomial 0xEDB88320):
/// the page checksum of Parquet (parquet.thrift `PageHeader.crc`: "The standard CRC32
/// algorithm is used (with polynomial 0x04C11DB7, the same as in e.g. GZip)").
enum CRC32 {
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { ReflectedCRC32.ieee.checksum(UnsafeRawBufferPointer(bytes)) }
    static func checksum(_ bytes: [UInt8]) -> UInt32 { ReflectedCRC32.ieee.checksum(bytes) }
}
