/// How a `ParquetWriter` lays out and compresses a file. Defaults follow pyarrow's: Snappy,
/// dictionary encoding with fallback to PLAIN past 1 MiB of dictionary, row groups of at most
/// 1 Mi rows, pages of about 1 MiB or 20 000 rows. Unlike pyarrow's default, every page
/// carries its CRC-32, so a reader can tell a damaged page from a valid one.
public struct ParquetWriterOptions: Sendable {
    /// The page compression codec.
    public enum Compression: Sendable, Hashable {
        case uncompressed
        case snappy
    }

    public var compression: Compression
    /// A row group is closed once it holds this many rows.
    public var rowGroupRowLimit: Int
    /// A row group is closed once its estimated uncompressed size reaches this many bytes.
    public var rowGroupByteLimit: Int
    /// Data pages are cut at about this many (uncompressed) bytes of values.
    public var dataPageByteLimit: Int
    /// Data pages hold at most this many rows.
    public var dataPageRowLimit: Int
    /// Dictionary-encode columns (except booleans) whose dictionary stays small.
    public var dictionary: Bool
    /// A column chunk whose PLAIN-encoded dictionary would exceed this falls back to PLAIN.
    public var dictionaryPageByteLimit: Int
    /// Application key-value metadata stored in the footer, in key order.
    public var keyValueMetadata: [String: String]
    /// The `created_by` string of the footer.
    public var createdBy: String
    /// Write the CRC-32 of every page into its header (Parquet spec: `PageHeader.crc`).
    public var pageChecksums: Bool

    public init(
        compression: Compression = .snappy,
        rowGroupRowLimit: Int = 1 << 20,
        rowGroupByteLimit: Int = 128 << 20,
        dataPageByteLimit: Int = 1 << 20,
        dataPageRowLimit: Int = 20_000,
        dictionary: Bool = true,
        dictionaryPageByteLimit: Int = 1 << 20,
        keyValueMetadata: [String: String] = [:],
        createdBy: String = "cryptoviz-parquet version 0.1.0",
        pageChecksums: Bool = true
    ) {
        self.compression = compression
        self.rowGroupRowLimit = max(1, rowGroupRowLimit)
        self.rowGroupByteLimit = max(1, rowGroupByteLimit)
        self.dataPageByteLimit = max(1, dataPageByteLimit)
        self.dataPageRowLimit = max(1, dataPageRowLimit)
        self.dictionary = dictionary
        self.dictionaryPageByteLimit = dictionaryPageByteLimit
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
        self.pageChecksums = pageChecksums
    }
}
