import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Server

/// `cryptoviz serve --bus none --lake file://…`, the real binary over a lake whose newest row
/// is ten days old: every asset listed, hourly charts from the candles table equal to DuckDB's
/// aggregation of the same table, tick views, SQL and time travel served, management still
/// behind the token, and clear refusals of flags that cannot work.
@Suite(.serialized) struct ServeWithoutBusTests {
    static let binance = ProviderID("binance")
    static let cmc = ProviderID("coinmarketcap")
    static let minute: Int64 = 60_000
    static let day: Int64 = 86_400_000

    /// Two days of 1-minute binance bars for bitcoin and ethereum ending ten days ago, and
    /// coinmarketcap ticks for ethereum and solana over the same days.
    static func oldLake() async throws -> (directory: URL, start: Int64, end: Int64) {
        let directory = try TestEnvironment.temporaryDirectory("serve-no-bus")
        let store = try LocalFileStore(root: directory.path)
        let lake = try await Lake.open(store: store, logger: Logger(label: "test"))
        let end = (currentUnixMillis() - 10 * day) / minute * minute
        let start = end - 2 * day
        var generator = SeededGenerator(seed: 14)
        let candles = try await lake.candles()
        for (a, (asset, pair)) in [("bitcoin", "BTCUSDT"), ("ethereum", "ETHUSDT")].enumerated() {
            var price = 100.0 * Double(a + 1)
            var bars: [CandleRecord] = []
            for t in stride(from: start, to: end, by: Int(minute)) {
                let open = price
                price = max(1, price + Double(Int.random(in: -50...50, using: &generator)) / 8)
                let high = max(open, price) + Double(Int.random(in: 0...8, using: &generator)) / 4
                let low = min(open, price) - Double(Int.random(in: 0...8, using: &generator)) / 4
                bars.append(CandleRecord(source: binance, asset: AssetID(asset), symbol: pair,
                                         quoteCurrency: "USDT", interval: .oneMinute, openTimeMillis: t, open: open, high: high,
                                         low: low, close: price, baseVolume: Double(Int.random(in: 1...1_000, using: &generator)),
                                         quoteVolume: 0, tradeCount: nil, marketCap: nil, isFinal: true, origin: .backfill,
                                         ingestTimeMillis: end + 1))
            }
            // Two commits per series, as a resumed backfill writes.
            _ = try await candles.append(Array(bars[..<1_000]))
            _ = try await candles.append(Array(bars[1_000...]))
        }
        let ticks = try await lake.ticks()
        var records: [LakeRecord] = []
        for (a, asset) in ["ethereum", "solana"].enumerated() {
            for t in stride(from: start, to: end, by: Int(10 * minute)) {
                let tick = Tick(source: cmc, asset: AssetID(asset), symbol: a == 0 ? "ETH" : "SOL", price: 10 + Double(t / minute % 17),
                                sourceTimeMillis: t + 7_000, collectedTimeMillis: t + 8_000)
                records.append(LakeRecord(tick: tick, ingestedTimeMillis: t + 9_000, processedTimeMillis: t + 9_500))
            }
        }
        _ = try await ticks.append(records)
        return (directory, start, end)
    }

    static func serve(_ lake: URL, token: String) throws -> (ManagedProcess, Int) {
        let port = try LoopbackPort.free()
        let data = try TestEnvironment.temporaryDirectory("serve-no-bus-data")
        let process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "serve", "--bus", "none", "--lake", "file://\(lake.path)", "--port", "\(port)", "--data", data.path, "--token", token,
        ], label: "serve-no-bus")
        try process.start()
        do {
            try LoopbackPort.waitUntilOpen(port, timeout: 60)
        } catch {
            _ = process.stop()
            throw TestClientError("serve --bus none did not listen: \(process.logTail())")
        }
        return (process, port)
    }

    @Test func servesAnOldLakeReadOnlyWithChartsEqualToDuckDB() async throws {
        let (directory, start, end) = try await Self.oldLake()
        let token = "serve-no-bus-token"
        let (process, port) = try Self.serve(directory, token: token)
        defer { _ = process.stop() }

        // Every asset of both tables, though the newest row is ten days old.
        let assets = try await HTTPTestClient.get(port: port, "/api/v1/assets")
        #expect(assets.status == 200)
        let listed = try assets.json()["assets"] as? [[String: Any]] ?? []
        #expect(listed.compactMap { $0["asset"] as? String } == ["bitcoin", "ethereum", "solana"], "\(assets.text)")
        #expect(listed.compactMap { $0["symbol"] as? String } == ["BTC", "ETH", "SOL"])
        let sources = try await HTTPTestClient.get(port: port, "/api/v1/sources")
        #expect(sources.status == 200 && sources.text.contains("\"binance\"") && sources.text.contains("\"coinmarketcap\""))

        // Hourly charts from the 1-minute bars, equal to DuckDB's aggregation of the table.
        let from = start + 90 * Self.minute  // not on an hour: the first hour is partial on both sides
        for (asset, query) in [("bitcoin", ""), ("ethereum", "&sources=binance")] {
            let response = try await HTTPTestClient.get(port: port, "/api/v1/assets/\(asset)/candles?interval=1h&from=\(from)&to=\(end)\(query)")
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let candles = try response.json()["candles"] as? [[String: Any]] ?? []
            let oracle = try ProcessRunner.run(try TestEnvironment.python(), [
                TestEnvironment.oracle("server/candles_from_table_duckdb.py"), directory.appendingPathComponent("candles").path,
                asset, "binance", "3600", "\(from)", "\(end)",
            ])
            let expected = try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(candles.count == expected.count && candles.count >= 47, "\(asset): \(candles.count) vs \(expected.count)")
            for (got, want) in zip(candles, expected) {
                for (ours, theirs) in [("start_ms", "start_ms"), ("open", "open"), ("high", "high"), ("low", "low"), ("close", "close"),
                                       ("volume", "volume"), ("tick_count", "count")] {
                    let value = (got[ours] as? NSNumber)?.doubleValue
                    #expect(value != nil && value == (want[theirs] as? NSNumber)?.doubleValue,
                            "\(asset) \(ours) at \(got["start_ms"] ?? "?"): \(got[ours] ?? "nil") vs \(want[theirs] ?? "nil")")
                }
            }
        }

        // Tick views read the tick table; the stats say there is no bus.
        let ticks = try await HTTPTestClient.get(port: port, "/api/v1/assets/solana/ticks?from=\(start)&to=\(end)&limit=5")
        #expect(ticks.status == 200)
        #expect((try ticks.json()["ticks"] as? [Any])?.count == 5)
        let stats = try await HTTPTestClient.get(port: port, "/api/v1/stats/pipeline")
        #expect((try stats.json()["pipeline"] as? [String: Any])?["bus"] as? String == "none", "\(stats.text.prefix(300))")
        #expect(try await HTTPTestClient.get(port: port, "/healthz").status == 200)
        #expect(try await HTTPTestClient.get(port: port, "/api/v1/assets/dogecoin/candles?interval=1h").status == 404)

        // SQL and time travel, with the token.
        let auth = ["Authorization": "Bearer \(token)"]
        let sql = try await HTTPTestClient.post(port: port, "/api/v1/sql", json: #"{"sql": "SELECT count(*) AS n FROM candles"}"#, headers: auth)
        #expect(sql.status == 200, "\(sql.text.prefix(300))")
        #expect(((try sql.json()["rows"] as? [[Any]])?.first?.first as? NSNumber)?.intValue == 2 * 2 * 1_440)
        let versions = try await HTTPTestClient.get(port: port, "/api/v1/lake/versions")
        #expect(versions.status == 200)
        let travelled = try await HTTPTestClient.get(port: port, "/api/v1/assets/solana/ticks?from=\(start)&to=\(end)&limit=5&version=0")
        #expect(travelled.status == 200)
        #expect((try travelled.json()["ticks"] as? [Any])?.isEmpty == true)

        // Management still needs the token.
        #expect(try await HTTPTestClient.post(port: port, "/api/v1/lake/compact", json: "{}").status == 401)
        #expect(try await HTTPTestClient.post(port: port, "/api/v1/sql", json: #"{"sql": "SELECT 1"}"#).status == 401)
        let compacted = try await HTTPTestClient.post(port: port, "/api/v1/lake/compact", json: "{}", headers: auth)
        #expect(compacted.status == 200, "\(compacted.text.prefix(300))")
        #expect(process.stop() == 0, "\(process.logTail())")
    }

    @Test func refusesFlagsThatCannotWorkWithClearErrors() async throws {
        let binary = try TestEnvironment.cryptovizBinary()
        let data = try TestEnvironment.temporaryDirectory("serve-no-bus-flags")
        let empty = try TestEnvironment.temporaryDirectory("serve-no-bus-empty")
        let port = try LoopbackPort.free()
        let cases: [([String], String)] = [
            (["serve", "--bus", "none", "--lake", "file:///nonexistent/cryptoviz-lake"], "no lake at file:///nonexistent/cryptoviz-lake"),
            (["serve", "--bus", "none", "--lake", "file://\(empty.path)"], "no CryptoViz lake at file://\(empty.path)"),
            (["serve", "--bus", "memory", "--lake", "file://\(empty.path)"], "--bus none for a read-only server"),
            (["serve", "--bus", "nothing", "--lake", "file://\(empty.path)"], "bus must be 'memory', 'none' (serve only) or kafka://host:port"),
            (["process", "--bus", "none", "--lake", "file://\(empty.path)"], "only serve runs without one"),
            (["up", "--bus", "none", "--lake", "file://\(empty.path)"], "--bus none is only for `serve`"),
        ]
        for (arguments, message) in cases {
            let result = try ProcessRunner.run(binary, arguments + ["--data", data.path, "--port", "\(port)"], check: false)
            #expect(result.status != 0, "\(arguments)")
            #expect((result.stderr + result.stdout).contains(message), "\(arguments): \(result.stderr.suffix(600))")
        }
        // Nothing was created in the folders a refused server was pointed at.
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/cryptoviz-lake"))
    }
}
