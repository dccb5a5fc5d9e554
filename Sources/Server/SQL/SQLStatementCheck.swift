import Foundation

/// Reads DuckDB's verdict on a statement: the `json_serialize_sql` row of `DuckDBScript.check`.
///
/// `json_serialize_sql` serializes SELECT statements only and answers `"error": true` for
/// any other kind (COPY, SET, ATTACH, PRAGMA, ...), for syntax errors, and lists every
/// statement it parsed, so stacked statements are visible as more than one entry.
enum SQLStatementCheck {
    /// Query node types DuckDB produces for a SELECT: plain, set operations (UNION, ...), CTEs.
    static let queryNodes: Set<String> = ["SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE", "RECURSIVE_CTE_NODE"]

    /// Nil when `output` shows exactly one SELECT; otherwise why the statement is refused.
    static func rejection(in output: [UInt8]) -> String? {
        let line = output.split(separator: UInt8(ascii: "\n")).first.map { Array($0) } ?? []
        guard let row = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let tree = row["statement_tree"] as? [String: Any]
        else { return "the SQL engine gave no verdict on the statement" }
        if tree["error"] as? Bool != false {
            let message = (tree["error_message"] as? String) ?? "not a query"
            if message.contains("Only SELECT statements") {
                return "only a single SELECT (or WITH ... SELECT) query is allowed"
            }
            return "the statement does not parse: \(message.prefix(300))"
        }
        guard let statements = tree["statements"] as? [[String: Any]], !statements.isEmpty else {
            return "statement is empty"
        }
        guard statements.count == 1 else {
            return "only one statement is allowed, found \(statements.count)"
        }
        let node = (statements[0]["node"] as? [String: Any])?["type"] as? String ?? "unknown"
        guard queryNodes.contains(node) else { return "only a SELECT query is allowed, found \(node)" }
        return nil
    }
}
