import ArgumentParser
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore

/// `cryptoviz bench lake`: writes a synthetic history of ticks into a local Delta table, then
/// times CryptoViz's scans next to DuckDB's delta_scan on the same files, and counts files
/// per day for the default and the original layout before and after compaction.
struct BenchLakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lake", abstract: "Benchmark the Delta Lake tick table.")

    @Option(help: "Number of assets.") var assets = 100
    @Option(help: "Number of sources.") var sources = 3
    @Option(help: "Days of history (default layout).") var days = 30
    @Option(help: "Seconds between ticks of one asset and source.") var stepSeconds = 60
    @Option(help: "Minutes of ticks per append (a micro-batch, one commit).") var batchMinutes = 60
    @Option(help: "Directory for the tables (emptied first).") var directory = "/tmp/cryptoviz-bench-lake"
    @Option(help: "DuckDB CLI (default: $CRYPTOVIZ_DUCKDB or duckdb on PATH).") var duckdb: String?
    @Option(help: "DuckDB delta extension file (default: found under $CRYPTOVIZ_DUCKDB_EXTENSIONS).") var deltaExtension: String?
    @Option(help: "Only time opening a table of this many commits with vs without checkpoints.") var openCommits: Int?
    @Option(help: "With --open-commits: also time both logs uploaded under this s3://bucket/prefix (AWS_* variables).") var openS3: String?

    static let start = SyntheticTicks.start

    var synthetic: SyntheticTicks {
        SyntheticTicks(assets: assets, sources: sources, stepSeconds: stepSeconds, batchMinutes: batchMinutes)
    }

    func records(fromMillis: Int64, toMillis: Int64) -> [LakeRecord] { synthetic.records(fromMillis: fromMillis, toMillis: toMillis) }

    func seconds(_ d: Duration) -> Double { d.benchSeconds }

    /// Writes `days` of micro-batches into a table; returns (rows, seconds).
    func fill(_ table: TickTable, days: Int) async throws -> (Int, Double) { try await synthetic.fill(table, days: days) }

    func filesPerDay(_ table: TickTable) async throws -> Double {
        let snapshot = try await table.snapshot()
        var dates = Set<String>()
        for file in snapshot.delta.files {
            let v = file.partitionValues
            dates.insert((v["date"] ?? nil) ?? "\((v["year"] ?? nil) ?? "")-\((v["month"] ?? nil) ?? "")-\((v["day"] ?? nil) ?? "")")
        }
        return Double(snapshot.delta.activeFiles.count) / Double(max(1, dates.count))
    }

    func duckdbTime(_ sql: String) throws -> (Double, String) {
        let env = ProcessInfo.processInfo.environment
        let cli = duckdb ?? env["CRYPTOVIZ_DUCKDB"] ?? "duckdb"
        var ext = deltaExtension
        if ext == nil, let site = env["CRYPTOVIZ_DUCKDB_EXTENSIONS"] {
            ext = "\(site)/duckdb_extension_delta/extensions/v1.5.5/delta.duckdb_extension"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli.hasPrefix("/") ? cli : "/usr/bin/env")
        let load = ext.map { "LOAD '\($0)'; " } ?? ""
        process.arguments = (cli.hasPrefix("/") ? [] : [cli]) + ["-csv", "-c", load + sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        let clock = ContinuousClock()
        let begin = clock.now
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = seconds(clock.now - begin)
        guard process.terminationStatus == 0 else { throw LakehouseError(.other, "duckdb failed: \(sql)") }
        return (elapsed, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func run() async throws {
        var logger = Logger(label: "cryptoviz.bench")
        logger.logLevel = .warning
        try? FileManager.default.removeItem(atPath: directory)
        if let openCommits { return try await benchOpenTime(commits: openCommits, logger: logger) }
        let clock = ContinuousClock()
        print("synthetic ticks: \(assets) assets x \(sources) sources, one per \(stepSeconds) s, \(days) days, appends of \(batchMinutes) min")

        let path = directory + "/default"
        let table = try await TickTable.open(store: try LocalFileStore(root: path), layout: .default, logger: logger)
        let (rows, writeSeconds) = try await fill(table, days: days)
        let info = try await table.info()
        print(String(format: "write default layout: %d rows in %.1f s (%.0f rows/s), %d files, %@ bytes",
                     rows, writeSeconds, Double(rows) / writeSeconds, info.files, "\(info.bytes)"))
        let perDayBefore = try await filesPerDay(table)
        var begin = clock.now
        let compacted = try await table.compact()
        let compactSeconds = seconds(clock.now - begin)
        let perDayAfter = try await filesPerDay(table)
        print(String(format: "default layout files/day: %.1f before compaction, %.1f after (compaction %.1f s, %d -> %d files)",
                     perDayBefore, perDayAfter, compactSeconds, compacted.filesRemoved, compacted.filesAdded))

        let asset = AssetID(String(format: "asset%03d", min(42, assets - 1))), source = ProviderID("source\(min(1, sources - 1))")
        let from = Self.start, to = Self.start + Int64(min(days, 30)) * 86_400_000
        begin = clock.now
        let ticks = try await table.ticks(asset: asset, source: source, fromMillis: from, toMillis: to)
        let scanSeconds = seconds(clock.now - begin)
        begin = clock.now
        let candles = try await table.candles(asset: asset, source: source, interval: .oneMinute, fromMillis: from, toMillis: to)
        let candleSeconds = seconds(clock.now - begin)
        print(String(format: "CryptoViz scan one asset+source over %d days: %d rows in %.3f s; 1m OHLC: %d candles in %.3f s",
                     min(days, 30), ticks.count, scanSeconds, candles.count, candleSeconds))

        let fromISO = DeltaTimestamp.isoString(millis: from), toISO = DeltaTimestamp.isoString(millis: to)
        let filter = "asset = '\(asset)' AND source = '\(source)' AND source_time >= TIMESTAMPTZ '\(fromISO)' AND source_time < TIMESTAMPTZ '\(toISO)'"
        let (dScan, dCount) = try duckdbTime("SELECT count(*) FROM (SELECT * FROM delta_scan('\(path)') WHERE \(filter));")
        let ohlc = """
            SELECT count(*) FROM (SELECT time_bucket(INTERVAL 1 minute, source_time) AS b, arg_min(price, source_time) AS o,
            max(price) AS h, min(price) AS l, arg_max(price, source_time) AS c, avg(price) AS m
            FROM delta_scan('\(path)') WHERE \(filter) GROUP BY b);
            """
        let (dOHLC, dCandles) = try duckdbTime(ohlc)
        print(String(format: "DuckDB delta_scan same scan: %@ rows in %.3f s; 1m OHLC: %@ candles in %.3f s (wall time incl. CLI start)",
                     dCount.split(separator: "\n").last.map(String.init) ?? "?", dScan,
                     dCandles.split(separator: "\n").last.map(String.init) ?? "?", dOHLC))

        let originalPath = directory + "/original"
        let original = try await TickTable.open(store: try LocalFileStore(root: originalPath), layout: .original, logger: logger)
        let (oRows, oSeconds) = try await fill(original, days: 1)
        let oBefore = try await filesPerDay(original)
        _ = try await original.compact()
        let oAfter = try await filesPerDay(original)
        print(String(format: "original layout (1 day, %d rows, write %.1f s) files/day: %.1f before compaction, %.1f after",
                     oRows, oSeconds, oBefore, oAfter))
    }
}
