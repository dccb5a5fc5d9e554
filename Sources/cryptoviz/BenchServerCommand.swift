import ArgumentParser
import CryptoVizCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lakehouse
import Logging
import ObjectStore
import Pipeline
import Server

/// `cryptoviz bench server`: builds (or reuses) a synthetic one-year lake ending now, serves it
/// exactly as `cryptoviz serve` wires it (HotTail seeded with the lake's last 24 h in front of
/// the Delta table, `LakeMarketData`, `CryptoVizServer`) in this process, then measures request
/// latency of `/candles` and `/ticks` over real loopback HTTP, and optionally time to first
/// chart in headless Chromium (Tests/Oracles/server/first_chart.py).
///
/// Served in-process rather than through `cryptoviz serve` because `serve` needs a Kafka bus
/// for its live tail; the data path per request is the same.
struct BenchServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Benchmark the REST API and dashboard over a synthetic one-year lake.")

    @Option(help: "Number of assets.") var assets = 10
    @Option(help: "Number of sources.") var sources = 3
    @Option(help: "Days of history, ending now.") var days = 365
    @Option(help: "Seconds between ticks of one asset and source.") var stepSeconds = 300
    @Option(help: "Lake directory; reused when it holds a lake built with the same flags.") var directory = "/tmp/cryptoviz-bench-server"
    @Flag(help: "Rebuild the lake even when a matching one exists.") var rebuild = false
    @Option(help: "Requests per measured query.") var requests = 30
    @Option(help: "Ranges to measure, from: day, month, year.") var ranges = "day,month,year"
    @Option(help: "Port to serve on (0: any free port).") var port = 0
    @Option(help: "Python with playwright for time to first chart (default: $CRYPTOVIZ_PYTHON; skipped when unset).") var python: String?
    @Option(help: "The first-chart oracle script.") var firstChartScript = "Tests/Oracles/server/first_chart.py"
    @Option(help: "DuckDB's side of the candle queries.") var duckdbCandlesScript = "Tests/Oracles/server/bench_candles_duckdb.py"
    @Option(help: "Page loads for time to first chart.") var browserRuns = 5
    @Flag(help: "Keep serving after the measurements (for manual browsing) until interrupted.") var stay = false

    /// What the lake was built with; a reused lake must match, and its end anchors the ranges.
    struct LakeManifest: Codable, Equatable {
        var assets: Int
        var sources: Int
        var days: Int
        var stepSeconds: Int
        var startMillis: Int64 = 0
        var endMillis: Int64 = 0
        var rows: Int = 0
        var buildSeconds: Double = 0

        func sameShape(_ other: LakeManifest) -> Bool {
            (assets, sources, days, stepSeconds) == (other.assets, other.sources, other.days, other.stepSeconds)
        }
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Writes one commit per UTC day (one file per day and source) from `days` ago to now,
    /// with `BenchLakeCommand`'s synthetic prices.
    func buildLake(_ manifestURL: URL, logger: Logger) async throws -> LakeManifest {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let table = try await Lake.open(store: try LocalFileStore(root: directory), logger: logger).ticks(layout: .default)
        let generator = try BenchLakeCommand.parse([
            "--assets", "\(assets)", "--sources", "\(sources)", "--step-seconds", "\(stepSeconds)",
        ])
        let day: Int64 = 86_400_000
        let step = Int64(stepSeconds) * 1000
        let end = currentUnixMillis() / step * step
        let start = (end / day - Int64(days) + 1) * day
        var manifest = LakeManifest(assets: assets, sources: sources, days: days, stepSeconds: stepSeconds,
                                    startMillis: start, endMillis: end)
        let clock = ContinuousClock()
        let began = clock.now
        var t = start
        while t < end {
            let records = generator.records(fromMillis: t, toMillis: min(end, t + day))
            manifest.rows += records.count
            try await table.append(records)
            t += day
            if (t - start) / day % 30 == 0 {
                print("  lake: \((t - start) / day) of \(days) days, \(manifest.rows) rows, \(Int(seconds(clock.now - began))) s")
            }
        }
        manifest.buildSeconds = seconds(clock.now - began)
        try JSONEncoder().encode(manifest).write(to: manifestURL)
        return manifest
    }

    /// Latency figures of one query, in milliseconds.
    struct Figures {
        var name: String
        var millis: [Double]
        var items: Int
        var bytes: Int

        /// Nearest-rank percentile.
        func percentile(_ p: Double) -> Double {
            let sorted = millis.sorted()
            guard !sorted.isEmpty else { return .nan }
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return sorted[min(sorted.count, max(1, rank)) - 1]
        }

        var line: String {
            func ms(_ v: Double) -> String { String(format: "%.1f", v) }
            return "| \(name) | \(millis.count) | \(ms(percentile(50))) | \(ms(percentile(95))) | \(ms(percentile(99))) | "
                + "\(ms(millis.max() ?? .nan)) | \(items) | \(bytes) |"
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
    }

    /// GETs `path` and returns (milliseconds, body).
    func timedGet(_ session: URLSession, _ base: String, _ path: String) async throws -> (Double, Data) {
        let clock = ContinuousClock()
        let started = clock.now
        let (data, response) = try await session.data(from: URL(string: base + path)!)
        let elapsed = seconds(clock.now - started) * 1000
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw BenchError(description: "GET \(path): \((response as? HTTPURLResponse)?.statusCode ?? -1) \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return (elapsed, data)
    }

    /// The same candles by DuckDB in-process (`bench_candles_duckdb.py`): first query on a new
    /// connection per asset, then the query repeated; nil without a Python to run it.
    func duckdbCandles(interval: String, from: Int64, to: Int64, assets: [String]) throws -> [Figures]? {
        guard let python = python ?? ProcessInfo.processInfo.environment["CRYPTOVIZ_PYTHON"] else { return nil }
        let seconds = ["1m": 60, "5m": 300, "1h": 3600, "1d": 86_400][interval] ?? 60
        let child = try ChildProcess.run([python, duckdbCandlesScript, directory + "/ticks", String(seconds), String(from), String(to)] + assets)
        guard child.status == 0, let start = child.output.firstIndex(of: "{"),
              let json = try? JSONSerialization.jsonObject(with: Data(child.output[start...].utf8)) as? [String: Any],
              let first = json["first_ms"] as? [Double], let repeated = json["repeated_ms"] as? [Double]
        else { throw BenchError(description: "bench_candles_duckdb.py failed: \(child.output)") }
        let rows = json["rows"] as? Int ?? 0
        let span = to - from >= 300 * 86_400_000 ? "year" : to - from >= 30 * 86_400_000 ? "month" : "day"
        return [Figures(name: "DuckDB in-process: candles \(interval), one \(span), first query per asset", millis: first, items: rows, bytes: 0),
                Figures(name: "DuckDB in-process: candles \(interval), one \(span), repeated", millis: repeated, items: rows, bytes: 0)]
    }

    func count(_ data: Data, _ key: String) -> Int {
        ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?[key].flatMap { $0 as? [Any] }?.count ?? 0
    }

    func run() async throws {
        var logger = Logger(label: "cryptoviz.bench.server")
        logger.logLevel = .warning
        let manifestURL = URL(fileURLWithPath: directory).appendingPathComponent("bench-server.json")
        let wanted = LakeManifest(assets: assets, sources: sources, days: days, stepSeconds: stepSeconds)
        var manifest: LakeManifest
        if !rebuild, let data = try? Data(contentsOf: manifestURL),
           let existing = try? JSONDecoder().decode(LakeManifest.self, from: data), existing.sameShape(wanted) {
            manifest = existing
            print("reusing the lake in \(directory) (built in \(Int(existing.buildSeconds)) s)")
        } else {
            print("building the lake in \(directory): \(assets) assets x \(sources) sources x \(days) days, one tick per \(stepSeconds) s")
            manifest = try await buildLake(manifestURL, logger: logger)
        }
        let day: Int64 = 86_400_000
        print("lake: \(manifest.rows) rows from \(manifest.startMillis) to \(manifest.endMillis), built in \(String(format: "%.1f", manifest.buildSeconds)) s")

        // The `serve` wiring: tail seeded from the lake, then LakeMarketData behind the server.
        let store = try LocalFileStore(root: directory)
        // A lake built by an older version (tick table at the root) is migrated here.
        let table = try await Lake.open(store: store, logger: logger).existingTicks()
        let info = try await table.info()
        let tail = HotTail()
        let seeded = try await LakeMarketData.seedTail(tail, from: table, window: tail.configuration.window)
        // A running pipeline's tail also holds the ticks not yet in the lake: continue the
        // synthetic series from the lake's end to now (tail only), so the dashboard's default
        // last-hour view has data however old the reused lake is.
        let generator = try BenchLakeCommand.parse(["--assets", "\(assets)", "--sources", "\(sources)", "--step-seconds", "\(stepSeconds)"])
        let now = currentUnixMillis()
        let liveFrom = max(manifest.endMillis, now - 86_400_000) / (Int64(stepSeconds) * 1000) * (Int64(stepSeconds) * 1000)
        let live = generator.records(fromMillis: liveFrom, toMillis: now)
        for record in live { _ = tail.insert(record.tick) }
        print("table: version \(info.version), \(info.files) files, \(info.bytes) bytes; tail seeded with \(seeded) lake ticks + \(live.count) newer ticks")
        var dataConfiguration = LakeMarketData.Configuration(location: directory)
        dataConfiguration.localDirectory = directory
        // Beside the lake, not in it: DuckDB may read the lake folder, and vacuum lists it.
        dataConfiguration.duckdb = DuckDBEngine.locate().map { DuckDBEngine(executable: $0, scratchDirectory: directory + "-tmp/sql") }
        let data = LakeMarketData(table: table, store: store, tail: tail, configuration: dataConfiguration, stats: {
            PipelineStatsDTO(generatedAtMs: currentUnixMillis(), ingestRatePerSecond: 0, ticksTotal: 0, freshnessP50Ms: nil,
                             freshnessP95Ms: nil, partitions: [], providers: [])
        }, logger: logger)
        let server = try CryptoVizServer(configuration: ServerConfiguration(host: "127.0.0.1", port: port), data: data, logger: logger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run(onRunning: { portSink.yield($0) }) }
        var iterator = ports.makeAsyncIterator()
        guard let boundPort = await iterator.next() else { throw BenchError(description: "server did not start") }
        let base = "http://127.0.0.1:\(boundPort)"
        print("serving on \(base)")

        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = 600
        let session = URLSession(configuration: sessionConfiguration)
        let end = now
        let assetNames = (0..<assets).map { String(format: "asset%03d", $0) }
        var figures: [Figures] = []

        // Warm-up: one request per asset so the snapshot and file statistics are loaded once.
        for asset in assetNames { _ = try await timedGet(session, base, "/api/v1/assets/\(asset)/candles?interval=1h&from=\(end - day)&to=\(end)") }

        let wantedRanges = Set(ranges.split(separator: ",").map(String.init))
        let spans: [(String, Int64)] = [("day", day), ("month", 30 * day), ("year", Int64(days) * day)]
            .filter { wantedRanges.contains($0.0) }
        for interval in ["1m", "1h", "1d"] {
            for (spanName, span) in spans {
                // The first request per asset computes every day (cold); later ones reuse the
                // server's per-day candle cache (warm). Reported apart so neither hides the other.
                var cold = Figures(name: "candles \(interval), one \(spanName), first per asset", millis: [], items: 0, bytes: 0)
                var warm = Figures(name: "candles \(interval), one \(spanName), repeated", millis: [], items: 0, bytes: 0)
                for i in 0..<requests {
                    let asset = assetNames[i % assetNames.count]
                    let (ms, body) = try await timedGet(session, base, "/api/v1/assets/\(asset)/candles?interval=\(interval)&from=\(end - span)&to=\(end)")
                    if i < assetNames.count {
                        cold.millis.append(ms); cold.items = count(body, "candles"); cold.bytes = body.count
                    } else {
                        warm.millis.append(ms); warm.items = count(body, "candles"); warm.bytes = body.count
                    }
                }
                for f in [cold, warm] where !f.millis.isEmpty {
                    print(f.line)
                    figures.append(f)
                }
                if let anchor = try duckdbCandles(interval: interval, from: end - span, to: end,
                                                  assets: Array(assetNames.prefix(min(requests, assetNames.count)))) {
                    for f in anchor {
                        print(f.line)
                        figures.append(f)
                    }
                }
            }
        }
        // Ticks: the first page of a range, then a walk through the following pages by cursor.
        for (spanName, span) in spans {
            var first = Figures(name: "ticks first page (limit 1000), one \(spanName)", millis: [], items: 0, bytes: 0)
            for i in 0..<requests {
                let asset = assetNames[i % assetNames.count]
                let (ms, body) = try await timedGet(session, base, "/api/v1/assets/\(asset)/ticks?limit=1000&from=\(end - span)&to=\(end)")
                first.millis.append(ms)
                first.items = count(body, "ticks")
                first.bytes = body.count
            }
            print(first.line)
            figures.append(first)
        }
        var paged = Figures(name: "ticks next pages by cursor (limit 1000), one month", millis: [], items: 0, bytes: 0)
        var cursor: String?
        let pageAsset = assetNames[0]
        for _ in 0..<requests {
            var path = "/api/v1/assets/\(pageAsset)/ticks?limit=1000&from=\(end - 30 * day)&to=\(end)"
            if let cursor { path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
            let (ms, body) = try await timedGet(session, base, path)
            paged.millis.append(ms)
            paged.items = count(body, "ticks")
            paged.bytes = body.count
            cursor = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["next_cursor"] as? String
            if cursor == nil { break }
        }
        print(paged.line)
        figures.append(paged)

        print("\n| query | requests | p50 ms | p95 ms | p99 ms | max ms | items/response | bytes/response |")
        print("|---|---|---|---|---|---|---|---|")
        for f in figures { print(f.line) }

        if let python = python ?? ProcessInfo.processInfo.environment["CRYPTOVIZ_PYTHON"] {
            print("\ntime to first chart (headless Chromium, \(browserRuns) page loads):")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [firstChartScript, "--url", base, "--runs", "\(browserRuns)"]
            try process.run()
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    process.waitUntilExit()
                    done.resume()
                }
            }
            if process.terminationStatus != 0 { print("first_chart.py exited with \(process.terminationStatus)") }
        } else {
            print("\ntime to first chart: skipped (no --python / CRYPTOVIZ_PYTHON)")
        }

        if stay {
            print("serving until interrupted")
            try await serving.value
        }
        serving.cancel()
        _ = try? await serving.value
    }
}
