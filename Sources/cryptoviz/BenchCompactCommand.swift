import ArgumentParser
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore

/// `cryptoviz bench compact`: builds a tick table of many small files (the `bench lake`
/// generator: assets × sources, one tick per step, one commit per batch of minutes), copies it,
/// compacts one copy with `cryptoviz compact --lake` (a child process: its CPU seconds and peak
/// RSS) and the other with delta-rs `optimize.compact` (timed in-process around the call), then
/// checks both with delta-rs and DuckDB: same rows, events and per-asset sums, and time travel
/// to the version before compaction unchanged.
struct BenchCompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: "Benchmark compaction against delta-rs optimize.compact on the same table.")

    @Option(help: "Number of assets.") var assets = 100
    @Option(help: "Number of sources.") var sources = 3
    @Option(help: "Days of ticks.") var days = 3
    @Option(help: "Seconds between ticks of one asset and source.") var stepSeconds = 60
    @Option(help: "Minutes of ticks per commit (one small file per date and source).") var batchMinutes = 60
    @Option(help: "Target file size in MiB (both engines).") var targetMib: Int64 = 128
    @Option(help: "Directory for the two tables (emptied first).") var directory = "/tmp/cryptoviz-bench-compact"
    @Option(help: "Python with deltalake and duckdb (default: $CRYPTOVIZ_PYTHON or .venv/bin/python).") var python: String?
    @Option(help: "The delta-rs side of the benchmark.") var oracle = "Tests/Oracles/lakehouse/bench_compact.py"

    func validate() throws {
        guard assets > 0, sources > 0, days > 0, stepSeconds > 0, batchMinutes > 0, targetMib > 0 else {
            throw ValidationError("every count and size must be positive")
        }
    }

    func run() async throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: directory)
        let ours = directory + "/ours", theirs = directory + "/delta-rs"
        try fm.createDirectory(atPath: ours, withIntermediateDirectories: true)
        var logger = Logger(label: "cryptoviz.bench")
        logger.logLevel = .warning
        // Two lakes: ours compacted through `cryptoviz compact --lake`, delta-rs's tick table directly.
        let table = try await Lake.open(store: try LocalFileStore(root: ours), logger: logger).ticks()
        let generator = SyntheticTicks(assets: assets, sources: sources, stepSeconds: stepSeconds, batchMinutes: batchMinutes)
        let (rows, _) = try await generator.fill(table, days: days)
        let before = try await table.snapshot()
        print("table: \(rows) rows in \(before.delta.files.count) files, version \(before.version)")
        try fm.copyItem(atPath: ours, toPath: theirs)

        let target = targetMib << 20
        print("load average before: \(BenchTiming.loadAverage())")
        let child = try ChildProcess.run([CommandLine.arguments[0], "compact", "--lake", ours, "--target-mib", String(targetMib)])
        guard child.status == 0 else { throw ValidationError("cryptoviz compact failed (\(child.status)): \(child.output)") }
        let reopened = try await Lake.open(store: try LocalFileStore(root: ours), logger: logger).existingTicks()
        let oursAfter = try await reopened.snapshot().delta.files.count

        let deltaRS = try runPython(["compact", theirs + "/ticks", String(target)])
        let wall = deltaRS["wall_seconds"] as? Double ?? .nan, cpu = deltaRS["cpu_seconds"] as? Double ?? .nan
        let rss = deltaRS["peak_rss_kib"] as? Int ?? 0
        print("load average after: \(BenchTiming.loadAverage())")
        print(String(format: "cryptoviz compact (whole process):  %.3f s wall, %.3f s CPU, peak RSS %d MiB, %d -> %d files",
                     child.wallSeconds, child.cpuSeconds, child.peakRSSKiB / 1024, before.delta.files.count, oursAfter))
        if let line = child.output.split(separator: "\n").last(where: { $0.hasPrefix("compacted") }) {
            print("  its own report (the compact call alone, table already open): \(line)")
        }
        print(String(format: "delta-rs optimize.compact (call):  %.3f s wall, %.3f s CPU, peak RSS %d MiB (whole python process), %d -> %d files",
                     wall, cpu, rss / 1024, deltaRS["files_before"] as? Int ?? 0, deltaRS["files_after"] as? Int ?? 0))
        print(String(format: "ours vs delta-rs, CPU (delta-rs CPU / ours; >= 1.0 means at least as fast): %.2fx", cpu / child.cpuSeconds))

        let checkOurs = try runPython(["check", ours + "/ticks", String(before.version)])
        let checkTheirs = try runPython(["check", theirs + "/ticks", String(before.version)])
        try verify(checkOurs, against: checkTheirs, rows: rows)
        print("check: delta-rs and DuckDB read \(rows) rows, the same events and per-asset sums in both tables, and the same before compaction (time travel)")
    }

    private func runPython(_ arguments: [String]) throws -> [String: Any] {
        let interpreter = python ?? ProcessInfo.processInfo.environment["CRYPTOVIZ_PYTHON"] ?? ".venv/bin/python"
        let child = try ChildProcess.run([interpreter, oracle] + arguments)
        guard child.status == 0, let start = child.output.firstIndex(of: "{"),
              let json = try? JSONSerialization.jsonObject(with: Data(child.output[start...].utf8)) as? [String: Any]
        else { throw ValidationError("\(oracle) \(arguments.joined(separator: " ")) failed: \(child.output)") }
        return json
    }

    /// Every summary of both tables (delta-rs, DuckDB, delta-rs at the old version) holds `rows`
    /// rows, all distinct events, and per-asset counts and sums equal to the first one's.
    private func verify(_ a: [String: Any], against b: [String: Any], rows: Int) throws {
        let summaries = ["delta_rs", "duckdb", "delta_rs_at_version"].flatMap { [a[$0], b[$0]] }.compactMap { $0 as? [String: Any] }
        guard summaries.count == 6, let reference = summaries[0]["assets"] as? [String: [Double]] else {
            throw ValidationError("incomplete check output")
        }
        for s in summaries {
            guard s["rows"] as? Int == rows, s["events"] as? Int == rows, let assets = s["assets"] as? [String: [Double]],
                  assets.keys.sorted() == reference.keys.sorted() else {
                throw ValidationError("a reader disagrees: \(s["rows"] ?? "?") rows, \(s["events"] ?? "?") events, expected \(rows)")
            }
            for (asset, value) in assets {
                let expected = reference[asset]!
                // Sums in another row order differ in the last bits only.
                guard value[0] == expected[0], abs(value[1] - expected[1]) <= 1e-9 * max(1, abs(expected[1])) else {
                    throw ValidationError("asset \(asset): \(value) against \(expected)")
                }
            }
        }
    }
}
