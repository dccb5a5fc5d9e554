/// A Parquet file could not be written or read; `message` names the part and the problem.
public struct ParquetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "parquet: \(message)" }
}
