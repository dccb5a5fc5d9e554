import Foundation

/// The output of `DuckDBScript.query` in `-jsonlines` mode: DESCRIBE rows (name, type), the
/// marker row, then one JSON object per result row.
struct DuckDBOutput {
    var columns: [String] = []
    var types: [String] = []
    var rows: [[SQLValue]] = []

    static func parse(_ output: [UInt8]) -> DuckDBOutput {
        var result = DuckDBOutput()
        var inRows = false
        for line in output.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) as? [String: Any]
            else { continue }
            if !inRows {
                if object[DuckDBScript.rowsMarker] != nil { inRows = true; continue }
                if let name = object["column_name"] as? String {
                    result.columns.append(name)
                    result.types.append((object["column_type"] as? String) ?? "VARCHAR")
                }
                continue
            }
            result.rows.append(zip(result.columns, result.types).map { value(object[$0], type: $1) })
        }
        return result
    }

    /// Maps a JSON cell to a typed value by the column's DuckDB type (JSON alone cannot tell
    /// a boolean from 1, or an integer from a whole double).
    static func value(_ any: Any?, type: String) -> SQLValue {
        guard let any, !(any is NSNull) else { return .null }
        let text = "\(any)"
        switch type.uppercased() {
        case "BOOLEAN":
            return .bool(text == "1" || text == "true")
        case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER":
            return Int64(text).map(SQLValue.int) ?? .string(text)
        case "FLOAT", "DOUBLE", "REAL":
            return Double(text).map(SQLValue.double) ?? .string(text)
        default:
            if let string = any as? String { return .string(string) }
            return .string(text)
        }
    }
}
