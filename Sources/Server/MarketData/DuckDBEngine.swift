import Foundation

/// Runs read-only SQL over the lake's Parquet files through the DuckDB CLI.
///
/// Each query is one short-lived `duckdb` process: a view `ticks` over the snapshot's files
/// (so the query sees exactly one table version), file access then disabled except for the
/// lake directory, the statement wrapped as a subquery with a row limit, and the process
/// killed at the timeout. DuckDB is the project's SQL engine, not a library it links: the CLI
/// comes from PyPI's `duckdb-cli` (scripts/up.sh installs it) or the PATH.
public struct DuckDBEngine: Sendable {
    public var executable: String
    public var timeout: Duration
    public var memoryLimit: String = "1GB"

    public init(executable: String, timeout: Duration = .seconds(20)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// The DuckDB CLI named by `CRYPTOVIZ_DUCKDB`, or `duckdb` on the PATH, or nil.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["CRYPTOVIZ_DUCKDB"], FileManager.default.isExecutableFile(atPath: path) { return path }
        for dir in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/duckdb"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/duckdb"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Runs `statement` (one SELECT/WITH, already checked) over `files` as view `ticks`.
    public func query(_ statement: String, files: [String], allowedDirectory: String, rowLimit: Int) throws -> SQLResultDTO {
        let started = ContinuousClock.now
        let marker = "__cryptoviz_rows__"
        let fileList = files.isEmpty ? "" : files.map { "'\(Self.escape($0))'" }.joined(separator: ", ")
        let view = files.isEmpty
            ? "CREATE VIEW ticks AS SELECT NULL::VARCHAR AS event_id, NULL::BIGINT AS source_time_ms WHERE false;"
            : """
              CREATE VIEW ticks AS SELECT *, epoch_ms(source_time) AS source_time_ms,
                epoch_ms(collected_time) AS collected_time_ms
              FROM read_parquet([\(fileList)], hive_partitioning = true, union_by_name = true);
              """
        let body = statement.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
        let script = """
            SET memory_limit = '\(memoryLimit)';
            SET threads = 2;
            \(view)
            SET allowed_directories = ['\(Self.escape(allowedDirectory))'];
            SET enable_external_access = false;
            DESCRIBE SELECT * FROM (\(body)) AS q;
            SELECT '\(marker)' AS \(marker);
            SELECT * FROM (\(body)) AS q LIMIT \(rowLimit + 1);
            """
        let output = try run(script)
        var columns: [String] = []
        var types: [String] = []
        var rows: [[SQLValue]] = []
        var inRows = false
        for line in output.split(separator: "\n") {
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any]
            else { continue }
            if !inRows {
                if object[marker] != nil { inRows = true; continue }
                if let name = object["column_name"] as? String {
                    columns.append(name)
                    types.append((object["column_type"] as? String) ?? "VARCHAR")
                }
                continue
            }
            rows.append(zip(columns, types).map { Self.value(object[$0], type: $1) })
        }
        let truncated = rows.count > rowLimit
        if truncated { rows.removeLast(rows.count - rowLimit) }
        let elapsed = ContinuousClock.now - started
        return SQLResultDTO(columns: columns, rows: rows, truncated: truncated,
                            elapsedMs: elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    private func run(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-jsonlines", "-bail", "-c", script]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MarketDataError(.unavailable, "the SQL engine (DuckDB CLI at \(executable)) could not start")
        }
        // Read both pipes while the process runs so a large result cannot block it.
        let outData = LockedData()
        let errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if group.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            group.wait()
            process.waitUntilExit()
            throw MarketDataError(.timeout, "the query ran longer than \(Int(seconds)) s and was stopped")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errData.get(), as: UTF8.self)
                .split(separator: "\n").first.map(String.init) ?? "query failed"
            throw MarketDataError(.invalidArgument, "SQL error: \(message.prefix(500))")
        }
        return String(decoding: outData.get(), as: UTF8.self)
    }

    static func escape(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }

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

/// A byte buffer filled by one reader thread and read after it finished.
private final class LockedData: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
