/// Cheap pre-checks on SQL text before any engine sees it: not empty, not too long.
///
/// It decides nothing about what the statement does. A hand-written tokenizer used to, and
/// disagreed with DuckDB about escape strings and nested comments, so stacked statements
/// passed (issue #12); each `MarketDataSource` now judges the statement with its own parser.
public enum SQLGuard {
    /// Why a statement was refused.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Code: String, Sendable {
            case empty, tooLong
        }
        public var code: Code
        public var message: String
        public var description: String { message }
    }

    /// The statement without surrounding whitespace, or a `Rejection`.
    public static func check(_ sql: String, maxLength: Int = 20_000) throws(Rejection) -> String {
        guard sql.utf8.count <= maxLength else {
            throw Rejection(code: .tooLong, message: "statement is longer than \(maxLength) bytes")
        }
        var trimmed = Substring(sql).drop { $0.isWhitespace }
        while trimmed.last?.isWhitespace == true { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { throw Rejection(code: .empty, message: "statement is empty") }
        return String(trimmed)
    }
}
