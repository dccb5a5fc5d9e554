import Foundation

/// The scripts one SQL request feeds the DuckDB CLI on standard input: a locked-down session,
/// then either the statement check or the query.
///
/// The user's text never appears in a script. It travels as base64 and is decoded inside
/// DuckDB (`decode(from_base64('…'))`): the CLI splits its input into statements and runs
/// lines starting with `.` as its own commands before DuckDB's parser sees anything, so raw
/// text could escape a quote the CLI and the parser read differently (issue #12: `E'\''`,
/// nested comments). The query itself runs through `query(…)`, which DuckDB refuses for
/// anything but one SELECT.
struct DuckDBScript {
    /// Limits applied to the session before any user text is read.
    struct Limits: Sendable {
        var memoryLimit: String
        var threads: Int
        var maxTempDirectorySize: String
    }

    /// Where spilled data goes; must not be readable as lake data.
    var spillDirectory: String
    /// The only directory the session may read (the lake's folder); nil for none.
    var readableDirectory: String?
    var limits: Limits

    /// `SELECT json_serialize_sql(...)`: DuckDB's parse tree of `statement`, one JSON row.
    func check(_ statement: String) -> String {
        lockedSession(view: nil) + "SELECT json_serialize_sql(\(Self.decoded(statement))) AS statement_tree;\n"
    }

    /// The column types (DESCRIBE), a marker row, then at most `rowLimit` rows of `statement`
    /// over view `ticks` of `files` and, when the lake has a candles table, view `candles`
    /// of `candleFiles` (and likewise `trades` of `tradeFiles`, `alerts` of `alertFiles`).
    func query(_ statement: String, files: [String], candleFiles: [String]? = nil, tradeFiles: [String]? = nil,
               alertFiles: [String]? = nil, rowLimit: Int) -> String {
        let source = "query(\(Self.decoded(statement)))"
        var views = Self.ticksView(files)
        if let candleFiles { views += "\n" + Self.candlesView(candleFiles) }
        if let tradeFiles { views += "\n" + Self.tradesView(tradeFiles) }
        if let alertFiles { views += "\n" + Self.alertsView(alertFiles) }
        return lockedSession(view: views)
            + "DESCRIBE SELECT * FROM \(source);\n"
            + "SELECT true AS \(Self.rowsMarker);\n"
            + "SELECT * FROM \(source) LIMIT \(rowLimit);\n"
    }

    /// The column name of the row that separates DESCRIBE's output from the result rows.
    static let rowsMarker = "__cryptoviz_rows__"

    /// Settings first (some cannot change once file access is off), then the view, then the
    /// fences: reads only under the lake, no other file or network access, no extension
    /// loading, and finally the configuration locked so the statement cannot undo any of it.
    private func lockedSession(view: String?) -> String {
        var lines = [
            "SET temp_directory = \(Self.literal(spillDirectory));",
            "SET max_temp_directory_size = \(Self.literal(limits.maxTempDirectorySize));",
            "SET memory_limit = \(Self.literal(limits.memoryLimit));",
            "SET threads = \(limits.threads);",
            "SET autoinstall_known_extensions = false;",
            "SET autoload_known_extensions = false;",
        ]
        if let view { lines.append(view) }
        if let readableDirectory {
            lines.append("SET allowed_directories = [\(Self.literal(readableDirectory))];")
        }
        lines += ["SET enable_external_access = false;", "SET lock_configuration = true;"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// View `name` over `files`. Every file is named explicitly, so the view is exactly one
    /// table version; `computed` adds columns (`, expr AS name`); a table with no file yet still
    /// gets the view, with the `empty` columns a query names first and no row.
    static func view(_ name: String, files: [String], computed: String = "", unionByName: Bool = false, empty: String) -> String {
        guard !files.isEmpty else { return "CREATE VIEW \(name) AS SELECT \(empty) WHERE false;" }
        return "CREATE VIEW \(name) AS SELECT *\(computed) FROM read_parquet(["
            + files.map(literal).joined(separator: ", ")
            + "], hive_partitioning = true\(unionByName ? ", union_by_name = true" : ""));"
    }

    /// The tick table's files as view `ticks`, with the times also as Unix ms. The files of one
    /// table share one schema (`TickTable` writes its layout's columns), so no `union_by_name`:
    /// it reads every file's footer at each bind, seconds at 20 000 files.
    static func ticksView(_ files: [String]) -> String {
        view("ticks", files: files, computed: ", epoch_ms(source_time) AS source_time_ms, epoch_ms(collected_time) AS collected_time_ms",
             empty: "NULL::VARCHAR AS event_id, NULL::BIGINT AS source_time_ms")
    }

    /// The candles table's files as view `candles`. Unlike the tick table, its files may differ
    /// in columns (columns added by schema evolution are missing from older files), so
    /// `union_by_name` reads those as nulls; the table holds few, large files.
    static func candlesView(_ files: [String]) -> String {
        view("candles", files: files, unionByName: true,
             empty: "NULL::VARCHAR AS source, NULL::VARCHAR AS asset, NULL::VARCHAR AS interval, NULL::TIMESTAMPTZ AS open_time")
    }

    /// The trades table's files as view `trades`, one row per trade, with the trade time also as
    /// Unix ms (`trade_time_ms`, as `ticks` has `source_time_ms`).
    static func tradesView(_ files: [String]) -> String {
        view("trades", files: files, computed: ", epoch_ms(trade_time) AS trade_time_ms",
             empty: "NULL::VARCHAR AS source, NULL::VARCHAR AS asset, NULL::VARCHAR AS symbol, NULL::BIGINT AS trade_id, "
                + "NULL::DOUBLE AS price, NULL::DOUBLE AS quantity, NULL::BOOLEAN AS buyer_is_maker, "
                + "NULL::TIMESTAMPTZ AS trade_time, NULL::BIGINT AS trade_time_ms")
    }

    /// The alert history table's files as view `alerts`, one row per fired or resolved event.
    static func alertsView(_ files: [String]) -> String {
        view("alerts", files: files,
             empty: "NULL::BIGINT AS seq, NULL::VARCHAR AS id, NULL::VARCHAR AS alert_id, NULL::VARCHAR AS kind, "
                + "NULL::VARCHAR AS rule_id, NULL::VARCHAR AS asset, NULL::VARCHAR AS source, NULL::DOUBLE AS value, "
                + "NULL::TIMESTAMPTZ AS event_time")
    }

    static func decoded(_ statement: String) -> String {
        "decode(from_base64('\(Data(statement.utf8).base64EncodedString())'))"
    }

    /// A SQL string literal; paths come from the server, not from the request.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
