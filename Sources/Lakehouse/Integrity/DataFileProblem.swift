/// A data file of a snapshot that cannot be served as the log describes it: what is wrong,
/// and the `add` action that names it.
public struct DataFileProblem: Sendable, Hashable {
    /// What the check found, in the order it checks: presence, size, Parquet pages, rows.
    public enum Kind: String, Sendable, Hashable {
        /// The log references a file the store does not have.
        case missing
        /// The stored object's size differs from the log's `add.size`.
        case sizeMismatch = "size_mismatch"
        /// A page's bytes do not match the CRC-32 in its header.
        case checksumMismatch = "checksum_mismatch"
        /// The bytes are not a readable Parquet file (footer, page headers, encodings).
        case unreadable
        /// The file holds a different number of rows than the log's `numRecords` statistic.
        case rowCountMismatch = "row_count_mismatch"
    }

    /// The file's entry in the log.
    public var file: AddFile
    public var kind: Kind
    /// The details: sizes, counts, or the reader's error naming column and page.
    public var message: String

    public init(file: AddFile, kind: Kind, message: String) {
        self.file = file
        self.kind = kind
        self.message = message
    }

    /// The file's path relative to the table root.
    public var path: String { file.relativeKey }

    /// The rows the log says the file holds (its `numRecords` statistic), nil when unknown.
    public var rows: Int64? {
        file.parsedStatistics().flatMap { $0.numRecords >= 0 ? $0.numRecords : nil }
    }
}
