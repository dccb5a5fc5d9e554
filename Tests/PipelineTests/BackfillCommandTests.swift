import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `cryptoviz backfill` against `cryptoviz simulate`, both real processes over real sockets,
/// into a real local lake, checked by delta-rs and DuckDB (`Tests/Oracles/backfill`).
@Suite(.serialized) struct BackfillCommandTests {
    /// A running `cryptoviz simulate` on a free port.
    struct Simulator {
        let process: ManagedProcess
        let port: Int
        var binance: String { "http://127.0.0.1:\(port)" }
        var coinGecko: String { "http://127.0.0.1:\(port)/api/v3" }

        init(_ arguments: [String]) throws {
            port = try LoopbackPort.free()
            process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(),
                                     arguments: ["simulate", "--port", "\(port)", "--assets", "150"] + arguments, label: "simulate")
            try process.start()
            try LoopbackPort.waitUntilOpen(port)
        }

        /// `/_sim/stats` for Binance: requests, statuses and the most weight seen in a window.
        func binanceStats() throws -> [String: Any] {
            let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/_sim/stats")!)
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return ((json?["providers"] as? [String: Any])?["binance"] as? [String: Any]) ?? [:]
        }
    }

    /// A fixed range of whole minutes ending at the last closed minute, as ISO times, so that
    /// restarts ask for exactly the same bars.
    static func range(days: Int) -> (from: String, to: String, fromMillis: Int64, untilMillis: Int64) {
        let until = Int64(Date().timeIntervalSince1970 * 1000) / 60_000 * 60_000
        let from = until - Int64(days) * 86_400_000
        let formatter = ISO8601DateFormatter()
        func iso(_ ms: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        return (iso(from), iso(until), from, until)
    }

    static func arguments(_ simulator: Simulator, lake: URL, assets: Int, range: (from: String, to: String, fromMillis: Int64, untilMillis: Int64),
                          extra: [String] = []) -> [String] {
        [
            "backfill", "--lake", "file://\(lake.path)", "--providers", "binance", "--assets", "\(assets)",
            "--from", range.from, "--to", range.to, "--interval", "1m",
            "--binance-url", simulator.binance, "--coingecko-url", simulator.coinGecko,
            "--gap-report", lake.appendingPathComponent("gaps.json").path,
        ] + extra
    }

    /// A backfill run to its end.
    static func runToEnd(_ arguments: [String]) throws -> CommandResult {
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), arguments, check: false)
    }

    /// Both engines' view of the table, checked series by series.
    static func checkExactlyOnce(lake: URL, assets: Int, fromMillis: Int64, untilMillis: Int64) throws {
        let output = try ProcessRunner.oracle("backfill/candles_oracle.py", [lake.appendingPathComponent("candles").path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let perSeries = Int((untilMillis - fromMillis) / 60_000)
        let txn = json["txn"] as? [String: Int] ?? [:]
        for engine in ["deltalake", "duckdb"] {
            let summary = try #require(json[engine] as? [String: Any])
            let series = try #require(summary["series"] as? [String: [String: Int]])
            #expect(summary["rows"] as? Int == assets * perSeries, "\(engine): rows")
            #expect(series.count == assets, "\(engine): series")
            for (key, s) in series {
                #expect(s["rows"] == perSeries && s["distinct"] == perSeries, "\(engine) \(key): \(s)")
                #expect(s["first_ms"].map(Int64.init) == fromMillis && s["last_ms"].map(Int64.init) == untilMillis - 60_000, "\(engine) \(key)")
                let parts = key.split(separator: "|")
                #expect(txn["backfill/\(parts[0])/\(parts[1])/\(parts[2])"].map(Int64.init) == untilMillis - 60_000, "txn of \(key)")
            }
        }
        #expect((json["deltalake"] as? [String: Any])?["series"] as? [String: [String: Int]]
                == (json["duckdb"] as? [String: Any])?["series"] as? [String: [String: Int]], "delta-rs and DuckDB agree")
    }

    /// Commits in the candles table's log so far.
    static func commits(_ lake: URL) -> Int {
        let log = lake.appendingPathComponent("candles/_delta_log").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: log)) ?? []).filter { $0.hasSuffix(".json") }.count
    }

    @Test func killedThreeTimesAndRestartedEndsWithEveryCandleOnce() async throws {
        let simulator = try Simulator(["--binance-weight-limit", "100000"])
        defer { simulator.process.stop() }
        let lake = try TestEnvironment.temporaryDirectory("backfill-kill")
        let range = Self.range(days: 6)
        let assets = 40
        var generator = SystemRandomNumberGenerator()
        var killedMidRun = 0
        // Each kill lands at a random moment inside a run: after 1 to 3 further commits (of about
        // 17 for the whole range), plus up to 300 ms, so that it can hit a page or a commit in flight.
        for _ in 0..<3 {
            let run = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(),
                                     arguments: Self.arguments(simulator, lake: lake, assets: assets, range: range,
                                                               extra: ["--commit-rows", "20000", "--concurrency", "4"]),
                                     label: "backfill")
            let target = Self.commits(lake) + Int.random(in: 1...3, using: &generator)
            try run.start()
            let deadline = Date().addingTimeInterval(120)
            while run.isRunning, Self.commits(lake) < target, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...300, using: &generator)))
            if run.isRunning { killedMidRun += 1 }
            run.stop(signal: SIGKILL)
        }
        let last = try Self.runToEnd(Self.arguments(simulator, lake: lake, assets: assets, range: range))
        #expect(last.status == 0, "final run: \(last.stderr.suffix(4000))")
        #expect(killedMidRun == 3, "every kill landed mid-run")
        #expect(last.stderr.contains("resumed_series="), "\(last.stderr.suffix(2000))")
        #expect(last.stdout.contains("binance: \(assets)/\(assets) assets"), "progress shown: \(last.stdout.suffix(1000))")
        try Self.checkExactlyOnce(lake: lake, assets: assets, fromMillis: range.fromMillis, untilMillis: range.untilMillis)
        let gaps = try JSONSerialization.jsonObject(with: Data(contentsOf: lake.appendingPathComponent("gaps.json"))) as? [String: Any]
        #expect(gaps?["missing_bars"] as? Int == 0)
    }

    @Test func staysWithinTheSimulatorsLimitAndRidesOutA429Storm() async throws {
        // Binance's 6000 weight per 60 s, scaled to 200 per 2 s so that a short run crosses several
        // windows (at least 160, or the ticker listing's weight of 80 pauses the limiter for a minute).
        let simulator = try Simulator(["--binance-weight-limit", "200", "--binance-weight-window", "2", "--faults", "binance:429~2.5-5"])
        defer { simulator.process.stop() }
        let lake = try TestEnvironment.temporaryDirectory("backfill-limits")
        let range = Self.range(days: 5)
        let run = try Self.runToEnd(Self.arguments(simulator, lake: lake, assets: 30, range: range,
                                                   extra: ["--binance-weight-limit", "200", "--binance-weight-window", "2"]))
        let stats = try simulator.binanceStats()
        #expect(run.status == 0, "\(run.stderr.suffix(4000))")
        let statuses = stats["statuses"] as? [String: Int] ?? [:]
        #expect((statuses["429"] ?? 0) > 0, "the storm happened: \(statuses)")
        #expect(statuses["418"] == nil, "never banned: \(statuses)")
        #expect((stats["requests"] as? Int ?? 0) * 2 > 2 * 200, "the run crossed several windows: \(stats)")
        // Every arrival counts, also those refused during the storm: the client stayed inside.
        #expect((stats["max_weight_in_window"] as? Int ?? .max) <= 200, "\(stats)")
        try Self.checkExactlyOnce(lake: lake, assets: 30, fromMillis: range.fromMillis, untilMillis: range.untilMillis)
    }
}

extension BackfillCommandTests {
    @Test func coinGeckoHistoryIsWrittenAtTheGranularityCoinGeckoGives() async throws {
        let simulator = try Simulator([])
        defer { simulator.process.stop() }
        let lake = try TestEnvironment.temporaryDirectory("backfill-coingecko")
        let until = Int64(Date().timeIntervalSince1970 * 1000) / 3_600_000 * 3_600_000
        let from = until - 10 * 86_400_000
        let formatter = ISO8601DateFormatter()
        func iso(_ ms: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        let run = try Self.runToEnd([
            "backfill", "--lake", "file://\(lake.path)", "--providers", "coingecko", "--assets", "bitcoin,ethereum,no-such-coin",
            "--from", iso(from), "--to", iso(until), "--interval", "1m", "--coingecko-url", simulator.coinGecko,
            "--binance-url", simulator.binance, "--gap-report", lake.appendingPathComponent("gaps.json").path,
        ])
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        #expect(run.stderr.contains("CoinGecko gives 1h points"), "the command says what it writes")
        #expect(run.stderr.contains("no-such-coin"), "an unknown id is reported")
        let output = try ProcessRunner.oracle("backfill/candles_oracle.py", [lake.appendingPathComponent("candles").path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        for engine in ["deltalake", "duckdb"] {
            let series = try #require((json[engine] as? [String: Any])?["series"] as? [String: [String: Int]])
            #expect(Set(series.keys) == ["coingecko|bitcoin|1h", "coingecko|ethereum|1h"], "\(engine)")
            for s in series.values {
                #expect(s["rows"] == 240 && s["distinct"] == 240 && s["first_ms"].map(Int64.init) == from)
            }
        }
    }
}
