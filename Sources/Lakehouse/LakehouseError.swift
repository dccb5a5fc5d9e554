/// A lake table operation failed; `code` says how, `message` names the table path, version or file.
public struct LakehouseError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure a caller can act on differently.
    public enum Code: String, Sendable {
        /// A log file, checkpoint or statistic is not valid JSON / not the Delta shape.
        case corruptLog
        /// The table needs a reader or writer feature this implementation lacks.
        case unsupportedProtocol
        /// No table at the location (no `_delta_log/` commit).
        case tableNotFound
        /// The requested version or timestamp is not in the log.
        case versionNotFound
        /// A concurrent commit touched the same files; the operation was not committed.
        case concurrentModification
        /// Every retry lost the race for the next version.
        case commitRetriesExhausted
        /// A data file could not be read or does not match the table schema.
        case corruptDataFile
        /// The caller passed an unusable argument.
        case invalidArgument
        /// Anything else.
        case other
    }

    public var code: Code
    public var message: String

    /// An error of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An error of kind `.other`.
    public init(_ message: String) {
        self.code = .other
        self.message = message
    }

    public var description: String { "lakehouse \(code.rawValue): \(message)" }
}
