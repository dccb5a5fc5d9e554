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
        let end = (currentUnixMillis() - 10 * day) / minute * minute
        try await write(oldLakeEnding: end, to: try LocalFileStore(root: directory.path))
        return (directory, end - 2 * day, end)
    }

    /// The lake of `oldLake`, ending at `end`, written into `store` (the same rows every time).
    static func write(oldLakeEnding end: Int64, to store: any ObjectStore) async throws {
        let lake = try await Lake.open(store: store, logger: Logger(label: "test"))
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
    }

    static func serve(_ lake: String, token: String, environment: [String: String] = [:]) throws -> (ManagedProcess, Int) {
        let port = try LoopbackPort.free()
        let data = try TestEnvironment.temporaryDirectory("serve-no-bus-data")
        let process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "serve", "--bus", "none", "--lake", lake, "--port", "\(port)", "--data", data.path, "--token", token,
        ], environment: environment, label: "serve-no-bus")
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
        let (process, port) = try Self.serve("file://\(directory.path)", token: token)
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

        // Price cards: the lake's newest tick of each series (the tail holds none of them).
        let quotes = try await HTTPTestClient.get(port: port, "/api/v1/quotes/latest")
        let quoted = try quotes.json()["quotes"] as? [[String: Any]] ?? []
        #expect(quoted.compactMap { $0["asset"] as? String } == ["ethereum", "solana"], "\(quotes.text.prefix(300))")
        #expect(quoted.compactMap { ($0["source_time_ms"] as? NSNumber)?.int64Value } == [end - 10 * Self.minute + 7_000, end - 10 * Self.minute + 7_000])
        // The live feed opens and stays quiet: there is no bus.
        let live = try await HTTPTestClient.openStream(port: port, "/api/v1/live")
        let opened = try await HTTPTestClient.offload { try live.readUntil(seconds: 10) { $0.contains(": connected") } }
        #expect(opened.hasPrefix("HTTP/1.1 200"), "\(opened.prefix(200))")
        #expect(!opened.contains("event: tick"))
        live.closeConnection()

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

    @Test func servesWhatABackfillWroteTenDaysAgoAsDuckDBAggregatesIt() async throws {
        // `cryptoviz backfill` against `cryptoviz simulate`: two days of 1-minute klines of
        // three assets, ending ten days ago, into a fresh lake (candles only, no tick table).
        let (simulator, url) = try CryptovizRoles.simulator(assets: 20, label: "serve-no-bus-sim")
        defer { _ = simulator.stop() }
        let directory = try TestEnvironment.temporaryDirectory("serve-no-bus-backfill")
        let end = (currentUnixMillis() - 10 * Self.day) / Self.minute * Self.minute
        let start = end - 2 * Self.day
        let iso = ISO8601DateFormatter()
        func text(_ ms: Int64) -> String { iso.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), [
            "backfill", "--lake", "file://\(directory.path)", "--data", directory.appendingPathComponent("data").path,
            "--providers", "binance", "--assets", "3", "--from", text(start), "--to", text(end), "--interval", "1m",
            "--binance-url", url, "--coingecko-url", "\(url)/api/v3",
            "--gap-report", directory.appendingPathComponent("gaps.json").path,
        ])

        let (process, port) = try Self.serve("file://\(directory.path)", token: "t")
        defer { _ = process.stop() }
        let listed = try await HTTPTestClient.get(port: port, "/api/v1/assets").json()["assets"] as? [[String: Any]] ?? []
        let assets = listed.compactMap { $0["asset"] as? String }
        #expect(assets.count == 3, "\(listed)")
        for asset in assets {
            let response = try await HTTPTestClient.get(port: port, "/api/v1/assets/\(asset)/candles?interval=1h&from=\(start)&to=\(end)")
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let candles = try response.json()["candles"] as? [[String: Any]] ?? []
            let oracle = try ProcessRunner.run(try TestEnvironment.python(), [
                TestEnvironment.oracle("server/candles_from_table_duckdb.py"), directory.appendingPathComponent("candles").path,
                asset, "binance", "3600", "\(start)", "\(end)",
            ])
            let expected = try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(candles.count == expected.count && candles.count >= 48, "\(asset): \(candles.count) vs \(expected.count)")
            for (got, want) in zip(candles, expected) {
                func number(_ object: [String: Any], _ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
                // OHLC, start and count exactly; volumes are sums, equal up to the order of addition.
                for (ours, theirs) in [("start_ms", "start_ms"), ("open", "open"), ("high", "high"), ("low", "low"),
                                       ("close", "close"), ("tick_count", "count")] {
                    #expect(number(got, ours) != nil && number(got, ours) == number(want, theirs), "\(asset) \(ours) at \(got["start_ms"] ?? "?")")
                }
                let volume = number(got, "volume") ?? .nan, reference = number(want, "volume") ?? .nan
                #expect(abs(volume - reference) <= 1e-9 * abs(reference), "\(asset) volume at \(got["start_ms"] ?? "?")")
            }
        }
    }

    @Test func servesTheSameLakeOnS3() async throws {
        let end = (currentUnixMillis() - 10 * Self.day) / Self.minute * Self.minute
        let directory = try TestEnvironment.temporaryDirectory("serve-no-bus-local")
        try await Self.write(oldLakeEnding: end, to: try LocalFileStore(root: directory.path))
        let environment = S3TestCredentials.environment(endpoint: try TestEnvironment.s3Endpoint())
        let bucket = "serve-no-bus-\(UUID().uuidString.prefix(8).lowercased())"
        try await S3ObjectStore(configuration: try S3Configuration(bucket: bucket, environment: environment)).createBucket()
        let url = "s3://\(bucket)/lake"
        try await Self.write(oldLakeEnding: end, to: try makeObjectStore(url: url, environment: environment))

        let (local, localPort) = try Self.serve("file://\(directory.path)", token: "t")
        defer { _ = local.stop() }
        let (remote, remotePort) = try Self.serve(url, token: "t", environment: environment)
        defer { _ = remote.stop() }
        let paths = [
            "/api/v1/assets", "/api/v1/sources",
            "/api/v1/assets/bitcoin/candles?interval=1h&from=\(end - Self.day)&to=\(end)",
            "/api/v1/assets/ethereum/candles?interval=5m&from=\(end - Self.day)&to=\(end)",
            "/api/v1/assets/solana/ticks?from=\(end - Self.day)&to=\(end)&limit=50",
        ]
        for path in paths {
            let fromS3 = try await HTTPTestClient.get(port: remotePort, path)
            let fromDisk = try await HTTPTestClient.get(port: localPort, path)
            #expect(fromS3.status == 200 && fromDisk.status == 200, "\(path): \(fromS3.text.prefix(300))")
            // Equal as JSON values (key order differs between processes).
            let s3Value = try JSONSerialization.jsonObject(with: Data(fromS3.body)) as? NSDictionary
            let diskValue = try JSONSerialization.jsonObject(with: Data(fromDisk.body)) as? NSDictionary
            #expect(fromS3.body.count > 100 && s3Value != nil && s3Value == diskValue,
                    "\(path): \(fromS3.text.prefix(400)) vs \(fromDisk.text.prefix(400))")
        }
        // SQL over an S3 lake is not configured: said plainly, with the token.
        let sql = try await HTTPTestClient.post(port: remotePort, "/api/v1/sql", json: #"{"sql": "SELECT 1"}"#,
                                                headers: ["Authorization": "Bearer t"])
        #expect(sql.status != 200 && sql.text.contains("object-store lake"), "\(sql.text.prefix(300))")
        // A prefix holding no lake is refused, and nothing is written there.
        let empty = try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), [
            "serve", "--bus", "none", "--lake", "s3://\(bucket)/nothing", "--port", "\(try LoopbackPort.free())",
            "--data", directory.appendingPathComponent("data").path,
        ], environment: environment, check: false)
        #expect(empty.status != 0 && (empty.stderr + empty.stdout).contains("no CryptoViz lake at s3://\(bucket)/nothing"), "\(empty.stderr.suffix(500))")
        let store = try makeObjectStore(url: "s3://\(bucket)/nothing", environment: environment)
        #expect(try await store.listAll(prefix: "").isEmpty)
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
