/// A failure of the alerts module: a rule that does not validate, an unknown rule, or state
/// that cannot be read or written.
///
/// Rule errors name the JSON field at fault (`field`, e.g. `rules[2].window_minutes`) so an API
/// can return it as the offending parameter.
public struct AlertsError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The rule (or rule set) JSON is malformed or a value is out of range.
        case invalidRule = "invalid_rule"
        /// No rule has this id.
        case unknownRule = "unknown_rule"
        /// A rule with this id already exists.
        case duplicateRule = "duplicate_rule"
        /// A file under the alerts directory could not be read or written.
        case storage
        /// A server's alerts API refused a request or could not be reached (`AlertsAPIClient`).
        case request
    }

    public var code: Code
    public var message: String
    /// The JSON field at fault, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\(code.rawValue): \($0): \(message)" } ?? "\(code.rawValue): \(message)"
    }

    static func invalid(_ field: String, _ message: String) -> AlertsError {
        AlertsError(.invalidRule, "'\(field)' \(message)", field: field)
    }
}
