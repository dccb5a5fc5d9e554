import Foundation
import Parquet
import TestSupport

/// The JSON printed by `Tests/Oracles/parquet/dump_parquet.py`: a file as pyarrow or DuckDB
/// reads it, in canonical strings (see the script).
struct OracleDump: Decodable {
    struct Column: Decodable {
        var name: String
        var type: String
        var values: [String?]
    }

    struct ChunkStats: Decodable {
        var null_count: Int?
        var min: String?
        var max: String?
        var encodings: [String]?
        var compression: String?
    }

    struct RowGroup: Decodable {
        var num_rows: Int
        var columns: [String: ChunkStats]
    }

    var columns: [Column]
    var row_groups: [RowGroup]?
    var num_rows: Int?
    var key_value_metadata: [String: String]?

    enum Engine: String { case pyarrow, duckdb }

    /// Runs the dump script on the file at `path`.
    static func read(_ path: String, engine: Engine) throws -> OracleDump {
        let result = try ProcessRunner.oracle("parquet/dump_parquet.py", [path, "--engine", engine.rawValue])
        return try JSONDecoder().decode(OracleDump.self, from: Data(result.stdout.utf8))
    }

    /// Writes `bytes` to a temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8], name: String = "t.parquet") throws -> String {
        let dir = try TestEnvironment.temporaryDirectory("parquet")
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}

/// Canonical strings of Swift values, matching dump_parquet.py.
enum Canonical {
    static func values(_ column: ColumnData, type: ParquetType, engine: OracleDump.Engine = .pyarrow) -> [String?] {
        (0..<column.count).map { i in
            column.value(at: i).map { value(for: $0, type: type, engine: engine) }
        }
    }

    static func value(for v: ParquetValue, type: ParquetType, engine: OracleDump.Engine = .pyarrow) -> String {
        switch v {
        case .boolean(let b): return b ? "true" : "false"
        case .int32(let x): return "\(x)"
        case .int64(let x):
            if engine == .duckdb, case .timestamp(let unit, _) = type {
                switch unit {
                case .millis: return "\(x * 1000)"
                case .micros: return "\(x)"
                case .nanos: return "\(x / 1000)"
                }
            }
            return "\(x)"
        case .float(let f): return f.isNaN ? "nan" : "\(f.bitPattern)"
        case .double(let d): return d.isNaN ? "nan" : "\(d.bitPattern)"
        case .string(let s): return s
        case .binary(let b): return b.map { String(format: "%02x", $0) }.joined()
        }
    }

    static func typeName(_ type: ParquetType, engine: OracleDump.Engine) -> String {
        switch engine {
        case .pyarrow:
            switch type {
            case .boolean: return "bool"
            case .int8: return "int8"
            case .int16: return "int16"
            case .int32: return "int32"
            case .int64: return "int64"
            case .float: return "float"
            case .double: return "double"
            case .string: return "string"
            case .binary: return "binary"
            case .date: return "date32[day]"
            case .timestamp(let unit, let utc):
                let u = switch unit { case .millis: "ms"; case .micros: "us"; case .nanos: "ns" }
                return utc ? "timestamp[\(u), tz=UTC]" : "timestamp[\(u)]"
            }
        case .duckdb:
            switch type {
            case .boolean: return "BOOLEAN"
            case .int8: return "TINYINT"
            case .int16: return "SMALLINT"
            case .int32: return "INTEGER"
            case .int64: return "BIGINT"
            case .float: return "FLOAT"
            case .double: return "DOUBLE"
            case .string: return "VARCHAR"
            case .binary: return "BLOB"
            case .date: return "DATE"
            case .timestamp(_, let utc): return utc ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP"
            }
        }
    }
}
