import Foundation

/// Runs read-only SQL over the lake's Parquet files with the DuckDB CLI.
///
/// Each request is two short-lived `duckdb` processes, each reading a script from a file
/// (never argv: 1 055 file paths already hit E2BIG). First DuckDB's own parser judges the
/// statement (`SQLStatementCheck`): exactly one SELECT, else `rejected`. Then the query runs
/// in a session locked down before the statement is read (`DuckDBScript`): a view `ticks`
/// over the tick table snapshot's files (and `candles`, `trades` and `alerts` over the candles,
/// trades and alert history tables', when the lake has them), reads only under the lake folder, no other file, network or
/// extension access, memory, thread and spill caps, configuration locked. Writes are kept
/// out by the statement itself, not by the file fence: DuckDB 1.5.5's `COPY ... TO` writes
/// inside `allowed_directories` and even to an allowed file path, so only a SELECT ever
/// runs, through DuckDB's `query()`, which itself refuses anything else.
///
/// Processes run in their own process group (`ProcessGroupRun`) and are killed with the
/// whole group at the deadline, when the result passes `maxResultBytes`, or when the request
/// is cancelled; waiting happens on a dedicated thread. `SQLAdmission` bounds how many run.
public struct DuckDBEngine: Sendable {
    /// The DuckDB CLI binary (the native one; a launcher script also works but costs a process).
    public var executable: String
    /// Per-query scratch folders (scripts, spill files) go under it, e.g. `<data>/tmp/sql`.
    public var scratchDirectory: String
    /// Longest a request may take: waiting for a slot and both processes together.
    public var timeout: Duration
    /// DuckDB `memory_limit` of one query.
    public var memoryLimit: String = "1GB"
    /// DuckDB `threads` of one query.
    public var threads: Int = 2
    /// DuckDB `max_temp_directory_size`: the most a query may spill to disk.
    public var maxTempDirectorySize: String = "1GB"
    /// Largest result, in bytes of DuckDB's JSON lines; a bigger one is stopped and refused (413).
    public var maxResultBytes: Int = 16 * 1024 * 1024
    let admission: SQLAdmission

    /// - Parameters:
    ///   - maxRunning: queries run at once; `maxWaiting` more wait, any further is refused (429).
    public init(executable: String, scratchDirectory: String, timeout: Duration = .seconds(20),
                maxRunning: Int = 2, maxWaiting: Int = 2) {
        self.executable = executable
        self.scratchDirectory = scratchDirectory
        self.timeout = timeout
        self.admission = SQLAdmission(maxRunning: maxRunning, maxWaiting: maxWaiting)
    }

    /// Runs `statement` over `files` as view `ticks` (and `candleFiles`, `tradeFiles` and
    /// `alertFiles`, when given, as views `candles`, `trades` and `alerts`), reading nothing
    /// outside `allowedDirectory`.
    public func query(_ statement: String, files: [String], candleFiles: [String]? = nil, tradeFiles: [String]? = nil,
                      alertFiles: [String]? = nil, allowedDirectory: String, rowLimit: Int) async throws -> SQLResultDTO {
        // The deadline runs from arrival: time spent waiting for a slot counts too.
        let started = ContinuousClock.now
        let deadline = started + timeout
        return try await admission.run {
            let folder = try makeQueryFolder()
            do {
                let result = try await execute(statement, files: files, candleFiles: candleFiles, tradeFiles: tradeFiles,
                                               alertFiles: alertFiles, rowLimit: rowLimit, in: folder,
                                               allowedDirectory: allowedDirectory, started: started, deadline: deadline)
                await Self.remove(folder)
                return result
            } catch {
                await Self.remove(folder)
                throw error
            }
        }
    }

    /// The statement check, then the query, in the request's scratch `folder`.
    private func execute(_ statement: String, files: [String], candleFiles: [String]?, tradeFiles: [String]?, alertFiles: [String]?,
                         rowLimit: Int, in folder: String, allowedDirectory: String,
                         started: ContinuousClock.Instant, deadline: ContinuousClock.Instant) async throws -> SQLResultDTO {
        let script = DuckDBScript(
            spillDirectory: folder + "/spill", readableDirectory: allowedDirectory,
            limits: .init(memoryLimit: memoryLimit, threads: threads, maxTempDirectorySize: maxTempDirectorySize))

        let verdict = try await run(script.check(statement), in: folder, name: "check.sql", deadline: deadline)
        if let reason = SQLStatementCheck.rejection(in: verdict.output) {
            throw MarketDataError(.rejected, reason)
        }
        let result = try await run(script.query(statement, files: files, candleFiles: candleFiles, tradeFiles: tradeFiles,
                                                alertFiles: alertFiles, rowLimit: rowLimit + 1),
                                   in: folder, name: "query.sql", deadline: deadline)
        var parsed = DuckDBOutput.parse(result.output)
        let truncated = parsed.rows.count > rowLimit
        if truncated { parsed.rows.removeLast(parsed.rows.count - rowLimit) }
        return SQLResultDTO(columns: parsed.columns, rows: parsed.rows, truncated: truncated,
                            elapsedMs: (ContinuousClock.now - started).millis)
    }

    /// Removes a query's scratch folder (up to `maxTempDirectorySize` of spill) off the pool.
    private static func remove(_ folder: String) async {
        await DedicatedThread.run { _ in try? FileManager.default.removeItem(atPath: folder) }
    }

    private func makeQueryFolder() throws -> String {
        let folder = scratchDirectory + "/" + UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: folder + "/spill", withIntermediateDirectories: true)
        } catch {
            throw MarketDataError(.unavailable, "the SQL engine's scratch folder could not be created")
        }
        return folder
    }

    /// One CLI process over `script`; a failure becomes the matching `MarketDataError`.
    private func run(_ script: String, in folder: String, name: String,
                     deadline: ContinuousClock.Instant) async throws -> ProcessGroupRun.Result {
        let path = folder + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(script.utf8)) else {
            throw MarketDataError(.unavailable, "the SQL engine's script could not be written")
        }
        var environment = ["HOME": folder]
        for key in ["TZ", "LANG"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        let run = ProcessGroupRun(
            executable: executable, arguments: ["-init", "/dev/null", "-bail", "-jsonlines"],
            environment: environment, inputFile: path, deadline: deadline, maxOutputBytes: maxResultBytes)
        let outcome = await DedicatedThread.run { isCancelled in
            var cancellable = run
            cancellable.isCancelled = isCancelled
            return Result { try cancellable.run() }
        }
        let result: ProcessGroupRun.Result
        do {
            result = try outcome.get()
        } catch {
            throw MarketDataError(.unavailable, "the SQL engine (DuckDB CLI at \(executable)) could not start")
        }
        switch result.outcome {
        case .exited(status: 0):
            return result
        case .exited:
            throw Self.failure(stderr: result.errorOutput, maxTempDirectorySize: maxTempDirectorySize)
        case .timedOut:
            throw MarketDataError(.timeout, "the query ran longer than \(timeout.millis / 1000) s and was stopped")
        case .outputTooLarge:
            throw MarketDataError(.tooLarge, "the result is larger than \(maxResultBytes) bytes and was stopped; select fewer rows or columns")
        case .cancelled:
            throw CancellationError()
        }
    }

    /// DuckDB's own message (first line), with the spill cap named when that is what stopped it.
    static func failure(stderr: [UInt8], maxTempDirectorySize: String) -> MarketDataError {
        let text = String(decoding: stderr, as: UTF8.self)
        if text.contains("max_temp_directory_size") {
            return MarketDataError(.invalidArgument, "SQL error: the query needed more than \(maxTempDirectorySize) of temporary disk space and was stopped")
        }
        let first = text.split(separator: "\n").first.map(String.init) ?? "query failed"
        return MarketDataError(.invalidArgument, "SQL error: \(first.prefix(500))")
    }

    /// The DuckDB CLI to use: `CRYPTOVIZ_DUCKDB`, else the one in `./.venv`, else `duckdb` on
    /// the PATH; a pip launcher script is replaced by the native binary it starts.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let path = environment["CRYPTOVIZ_DUCKDB"] { candidates.append(path) }
        candidates.append(FileManager.default.currentDirectoryPath + "/.venv/bin/duckdb")
        for dir in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/duckdb") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return nativeBinary(for: found) ?? found
    }

    /// The pip package `duckdb-cli` installs `bin/duckdb` as a Python script that starts
    /// `site-packages/duckdb_cli/duckdb` as its child; killing the script left that child
    /// running (issue #12, row 3). Nil when `path` is not such a script.
    static func nativeBinary(for path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 2), head == Data("#!".utf8) else { return nil }
        let prefix = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        let lib = prefix.appendingPathComponent("lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for version in versions.sorted() where version.hasPrefix("python") {
            let binary = lib.appendingPathComponent("\(version)/site-packages/duckdb_cli/duckdb").path
            if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        }
        return nil
    }
}
