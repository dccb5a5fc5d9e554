import ArgumentParser
import CryptoVizCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lakehouse
import Logging
import ObjectStore

/// `cryptoviz bench candles`: a year (by default) of 1-minute candles for 100 assets in a
/// lake's candles table, written in backfill-sized commits, then hourly bars of one asset
/// over the whole range, cold (a fresh table handle per asset: log replay, file pruning, scan,
/// aggregation), beside DuckDB's in-process first query of the same aggregation on the same
/// table (`bench_candles_table_duckdb.py`). Same bars are checked against DuckDB's. Then the
/// same chart through the REST API of a real `cryptoviz serve --bus none` over the lake (this
/// binary, started as a child): the first request per asset after the server starts.
struct BenchCandlesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candles", abstract: "Benchmark hourly bars over a year of 1-minute candles against DuckDB in-process.")

    @Option(help: "Number of assets.") var assets = 100
    @Option(help: "Days of 1-minute candles, ending at the last whole day.") var days = 365
    @Option(help: "Lake directory (the candles table goes under <directory>/candles); reused when it matches.")
    var directory = "/tmp/cryptoviz-bench-candles"
    @Option(help: "Rows per commit while building (a backfill's default).") var commitRows = 500_000
    @Flag(help: "Rebuild the table even when a matching one exists.") var rebuild = false
    @Option(help: "Assets measured (cold, one each).") var measure = 10
    @Option(help: "Bar width asked for: 5m, 1h or 1d.") var interval = "1h"
    @Option(help: "Python with duckdb for the anchor (default: $CRYPTOVIZ_PYTHON).") var python: String?
    @Option(help: "DuckDB's side.") var duckdbScript = "Tests/Oracles/server/bench_candles_table_duckdb.py"
    @Flag(help: "Skip the REST API measurement.") var skipApi = false

    struct Manifest: Codable, Equatable {
        /// Bumped when the table's layout changes (2: row groups of 8 Ki rows; 3: pages of 1 Ki rows), so an older
        /// table is rebuilt rather than measured.
        static let currentLayout = 3
        var layout: Int? = Manifest.currentLayout
        var assets: Int
        var days: Int
        var startMillis: Int64
        var endMillis: Int64
        var rows: Int
        var files: Int
        var bytes: Int64
        var buildSeconds: Double
    }

    struct BenchError: Error, CustomStringConvertible { var description: String }

    func validate() throws {
        guard assets > 0, days > 0, measure > 0, commitRows > 0 else {
            throw ValidationError("--assets, --days, --measure and --commit-rows must be positive")
        }
        guard let width = CandleInterval(rawValue: interval), width != .oneMinute else {
            throw ValidationError("--interval must be 5m, 1h or 1d")
        }
        _ = width
    }

    func run() async throws {
        var logger = Logger(label: "cryptoviz.bench.candles")
        logger.logLevel = .warning
        let width = CandleInterval(rawValue: interval)!
        let manifestURL = URL(fileURLWithPath: directory).appendingPathComponent("bench-candles.json")
        var manifest: Manifest
        if !rebuild, let data = try? Data(contentsOf: manifestURL),
           let existing = try? JSONDecoder().decode(Manifest.self, from: data), existing.assets == assets, existing.days == days,
           existing.layout == Manifest.currentLayout {
            manifest = existing
            print("reusing \(directory)/candles (built in \(Int(existing.buildSeconds)) s)")
        } else {
            manifest = try await build(logger: logger)
            try JSONEncoder().encode(manifest).write(to: manifestURL)
        }
        print("candles: \(manifest.rows) rows, \(manifest.files) files, \(manifest.bytes) bytes, "
              + "\(manifest.assets) assets x \(manifest.days) days of 1-minute bars; built in \(String(format: "%.1f", manifest.buildSeconds)) s")
        print("load average before measuring: \(BenchTiming.loadAverage())")

        let names = (0..<min(measure, assets)).map { String(format: "asset%03d", $0 * max(1, assets / min(measure, assets))) }
        let from = manifest.startMillis, to = manifest.endMillis
        var wall: [Double] = []
        var cpuTotal = 0.0
        var lastBars: [CandleBar] = []
        for name in names {
            let cpu = CPUClock.seconds()
            let started = ContinuousClock.now
            // Cold: a new handle replays the log and reads the files, as a fresh server would.
            let table = try await CandleTable.open(store: try LocalFileStore(root: directory), logger: logger)
            let bars = try await table.snapshot().bars(asset: AssetID(name), stored: .oneMinute, interval: width, fromMillis: from, toMillis: to)
            wall.append((ContinuousClock.now - started).benchSeconds * 1000)
            cpuTotal += CPUClock.seconds() - cpu
            lastBars = bars
        }
        print("load average after CryptoViz: \(BenchTiming.loadAverage())")
        func p50(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        print(String(format: "CryptoViz CandleSnapshot.bars, %@ over %d days, cold per asset: p50 %.1f ms, max %.1f ms, CPU %.1f ms per asset, %d bars",
                     interval, days, p50(wall), wall.max()!, cpuTotal * 1000 / Double(names.count), lastBars.count))

        guard let python = python ?? ProcessInfo.processInfo.environment["CRYPTOVIZ_PYTHON"] else {
            print("DuckDB anchor: skipped (no --python / CRYPTOVIZ_PYTHON)")
            return
        }
        let child = try ChildProcess.run([python, duckdbScript, directory + "/candles", String(width.millis / 1000),
                                          String(from), String(to)] + names)
        guard child.status == 0, let start = child.output.firstIndex(of: "{"),
              let json = try? JSONSerialization.jsonObject(with: Data(child.output[start...].utf8)) as? [String: Any],
              let first = json["plain_first_ms"] as? [Double], let repeated = json["plain_repeated_ms"] as? [Double],
              let rule = json["rule_first_ms"] as? [Double], let reference = json["bars"] as? [[Any]]
        else { throw BenchError(description: "\(duckdbScript) failed: \(child.output.suffix(2000))") }
        print(String(format: "DuckDB in-process delta_scan, first query per asset: p50 %.1f ms (repeated %.1f ms; with the read rule, first %.1f ms); process CPU %.2f s for %d assets x 3 queries",
                     p50(first), p50(repeated), p50(rule), child.cpuSeconds, names.count))
        print(String(format: "ratio DuckDB first / CryptoViz cold (p50): %.2f", p50(first) / p50(wall)))
        print("load average after DuckDB: \(BenchTiming.loadAverage())")
        try check(lastBars, against: reference, asset: names.last!)
        if !skipApi {
            let api = try await measureAPI(assets: names, width: width, from: from, to: to, expected: lastBars.count)
            print(String(format: "REST API (serve --bus none), first request per asset: p50 %.1f ms, max %.1f ms; server CPU %.2f s for %d requests",
                         p50(api.millis), api.millis.max()!, api.serverCPU, names.count))
            print(String(format: "ratio DuckDB first / API first (p50): %.2f", p50(first) / p50(api.millis)))
            print("load average after the API: \(BenchTiming.loadAverage())")
        }
    }

    /// Starts `cryptoviz serve --bus none` over the lake, waits for it to answer, then asks
    /// each asset's chart once; returns the latencies and the server's CPU seconds.
    func measureAPI(assets names: [String], width: CandleInterval, from: Int64, to: Int64,
                    expected: Int) async throws -> (millis: [Double], serverCPU: Double) {
        let port = 18_000 + Int(getpid() % 2000)
        let data = directory + "-serve"
        try? FileManager.default.removeItem(atPath: data)
        let server = Process()
        // This very binary, whatever the working directory.
        server.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        server.arguments = ["serve", "--bus", "none", "--lake", "file://" + directory, "--data", data,
                            "--port", String(port), "--log-level", "warning"]
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let session = URLSession(configuration: .ephemeral)
        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<600 where !ready {
            if let (_, response) = try? await session.data(from: URL(string: base + "/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                ready = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard ready else { throw BenchError(description: "serve --bus none did not answer within 60 s") }
        // The asset lists are built in the background at start (the candles table's series);
        // measured apart, then the charts.
        let listing = ContinuousClock.now
        var listed = 0
        for _ in 0..<1200 where listed < assets {
            if let (body, _) = try? await session.data(from: URL(string: base + "/api/v1/assets")!),
               let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
                listed = (json["assets"] as? [Any])?.count ?? 0
            }
            if listed < assets { try await Task.sleep(for: .milliseconds(100)) }
        }
        print(String(format: "serve --bus none listed %d assets %.1f s after answering /healthz", listed,
                     (ContinuousClock.now - listing).benchSeconds))
        let cpuBefore = try Self.processCPU(server.processIdentifier)
        var millis: [Double] = []
        for name in names {
            let started = ContinuousClock.now
            let url = URL(string: base + "/api/v1/assets/\(name)/candles?interval=\(width.rawValue)&from=\(from)&to=\(to)")!
            let (body, response) = try await session.data(from: url)
            millis.append((ContinuousClock.now - started).benchSeconds * 1000)
            guard (response as? HTTPURLResponse)?.statusCode == 200,
                  let json = try JSONSerialization.jsonObject(with: body) as? [String: Any],
                  let candles = json["candles"] as? [Any], candles.count == expected
            else { throw BenchError(description: "GET \(url): \(String(decoding: body.prefix(300), as: UTF8.self))") }
        }
        let cpu = try Self.processCPU(server.processIdentifier) - cpuBefore
        server.terminate()
        server.waitUntilExit()
        return (millis, cpu)
    }

    /// User + system CPU seconds of a running process (/proc/<pid>/stat, clock ticks).
    static func processCPU(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError(description: "unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError(description: "unreadable /proc/\(pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Our bars of the last measured asset equal DuckDB's (relative 1e-9 on sums).
    func check(_ ours: [CandleBar], against reference: [[Any]], asset: String) throws {
        func number(_ v: Any) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
        func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        guard ours.count == reference.count else {
            throw BenchError(description: "\(asset): \(ours.count) bars, DuckDB \(reference.count)")
        }
        for (bar, row) in zip(ours, reference) {
            guard Int64(exactly: number(row[0])) == bar.openTimeMillis, near(bar.open, number(row[1])), near(bar.high, number(row[2])),
                  near(bar.low, number(row[3])), near(bar.close, number(row[4])), near(bar.quoteVolume ?? .nan, number(row[5])),
                  Int(exactly: number(row[6])) == bar.barCount
            else { throw BenchError(description: "\(asset): bar \(bar) differs from DuckDB's \(row)") }
        }
        print("bars of \(asset) equal DuckDB's (\(ours.count) bars)")
    }

    /// Writes the table as a backfill would: commits of `commitRows`, each holding a run of
    /// minutes of every asset.
    func build(logger: Logger) async throws -> Manifest {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let table = try await Lake.open(store: try LocalFileStore(root: directory), logger: logger).candles()
        let day: Int64 = 86_400_000
        let end = currentUnixMillis() / day * day
        let start = end - Int64(days) * day
        let minutesPerCommit = Int64(max(1, commitRows / assets)) * 60_000
        var generator = SyntheticCandles(assets: assets)
        print("building \(directory)/candles: \(assets) assets x \(days) days of 1-minute bars, \(commitRows) rows per commit")
        let began = ContinuousClock.now
        var rows = 0
        var t = start
        while t < end {
            let next = min(end, t + minutesPerCommit)
            let records = generator.minutes(fromMillis: t, toMillis: next, ingestTimeMillis: currentUnixMillis())
            try await table.append(records)
            rows += records.count
            t = next
            if rows % (commitRows * 20) < records.count {
                print("  \(rows) rows, \(Int((ContinuousClock.now - began).benchSeconds)) s")
            }
        }
        let snapshot = try await table.snapshot()
        return Manifest(assets: assets, days: days, startMillis: start, endMillis: end, rows: rows,
                        files: snapshot.delta.files.count, bytes: snapshot.delta.files.reduce(0) { $0 + $1.size },
                        buildSeconds: (ContinuousClock.now - began).benchSeconds)
    }
}
