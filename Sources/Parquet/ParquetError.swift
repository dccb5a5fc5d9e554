/// A Parquet file could not be written or read; `message` names the part and the problem.
public struct ParquetError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure a caller may treat differently.
    public enum Code: String, Sendable {
        /// A page's bytes do not match the CRC-32 its header records: the file was damaged
        /// after it was written (Parquet spec: `PageHeader.crc`).
        case checksumMismatch
        /// Anything else: malformed, truncated or unsupported input, or a writer misuse.
        case other
    }

    public var code: Code
    public var message: String

    /// An error of kind `.other`.
    public init(_ message: String) {
        self.code = .other
        self.message = message
    }

    /// An error of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "parquet: \(message)" }
}
