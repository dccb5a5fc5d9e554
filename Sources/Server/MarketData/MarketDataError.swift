/// An expected failure of a `MarketDataSource`; `code` picks the HTTP status, `message` is shown.
///
/// Messages must be safe for clients: no paths of secrets, no stack traces.
public struct MarketDataError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The named asset, source or version does not exist (404).
        case notFound = "not_found"
        /// The request is well-formed but cannot be served as asked (400), e.g. bad SQL.
        case invalidArgument = "invalid_argument"
        /// Another action holds the resource (409), e.g. a compaction already running.
        case conflict
        /// The capability is not offered by this source (501), e.g. SQL without a lake.
        case unsupported
        /// The backing component is down or overloaded (503).
        case unavailable
        /// The operation ran past its time budget (504).
        case timeout
        /// A SQL statement the engine will not run: not exactly one SELECT (400, `sql_rejected`).
        case rejected
        /// Too much work is already queued; the client should retry later (429).
        case busy
        /// The answer would exceed a size cap (413), e.g. a SQL result's bytes.
        case tooLarge = "too_large"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
