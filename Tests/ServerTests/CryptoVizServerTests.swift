import CryptoVizCore
import Foundation
import Logging
import ServiceLifecycle
import Prometheus
import Testing
import TestSupport
@testable import Server

/// HTTP-level tests: a real server on a loopback port, real requests over sockets.
@Suite struct CryptoVizServerTests {
    static let now = currentUnixMillis()

    static func seeded() async -> InMemoryMarketData {
        let data = InMemoryMarketData()
        var ticks: [Tick] = []
        for i in 0..<30 {
            if i == 15 {
                await data.append(ticks)
                ticks = []
            }
            let at = now - Int64(30 - i) * 10_000
            ticks.append(SampleTicks.tick("coingecko", "bitcoin", price: 100 + Double(i), at: at, volume: 1000))
            ticks.append(SampleTicks.tick("binance", "bitcoin", price: 102 + Double(i), at: at))
            ticks.append(SampleTicks.tick("coinmarketcap", "bitcoin", price: 110 + Double(i), at: at))
            ticks.append(SampleTicks.tick("binance", "ethereum", price: 50 + Double(i), at: at))
        }
        await data.append(ticks)
        return data
    }

    @Test(arguments: [
        ("/api/v1/assets/bitcoin/ticks?limit=0", "limit"),
        ("/api/v1/assets/bitcoin/ticks?limit=10001", "limit"),
        ("/api/v1/assets/bitcoin/ticks?limit=ten", "limit"),
        ("/api/v1/assets/bitcoin/ticks?from=yesterday", "from"),
        ("/api/v1/assets/bitcoin/ticks?from=2000&to=1000", "from"),
        ("/api/v1/assets/bitcoin/ticks?to=2025-13-40T00:00:00Z", "to"),
        ("/api/v1/assets/bitcoin/ticks?cursor=garbage", "cursor"),
        ("/api/v1/assets/bitcoin/ticks?version=-1", "version"),
        ("/api/v1/assets/bitcoin/ticks?sources=Bad%20Name", "sources"),
        ("/api/v1/assets/BITCOIN/ticks", "asset"),
        ("/api/v1/assets/bitcoin/candles?interval=2m", "interval"),
        ("/api/v1/assets/bitcoin/indicators?interval=2m", "interval"),
        ("/api/v1/assets/bitcoin/indicators?indicators=macd:12", "indicators"),
        ("/api/v1/assets/bitcoin/indicators?indicators=sma:0", "indicators"),
        ("/api/v1/assets/bitcoin/indicators?indicators=bollinger:20", "indicators"),
        ("/api/v1/quotes/latest?assets=bitcoin,%2E%2E%2Fetc", "assets"),
        ("/api/v1/live?sources=x%3By", "sources"),
        ("/api/v1/live?sources=" + String(repeating: ",", count: 6501), "sources"),
        ("/api/v1/quotes/latest?assets=" + Array(repeating: "btc", count: 101).joined(separator: ","), "assets"),
    ])
    func invalidParametersGet400NamingTheParameter(_ path: String, _ parameter: String) async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let response = try await server.get(path)
        #expect(response.status == 400, "\(path): \(response.text)")
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        let fields = try response.errorFields()
        #expect(fields.parameter == parameter)
        #expect(fields.code == "invalid_parameter")
        await server.stop()
    }

    @Test func indicatorsComeAlignedWithTheCandles() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let from = Self.now - 400_000
        let response = try await server.get("/api/v1/assets/bitcoin/indicators?interval=1m&from=\(from)&indicators=sma:2,bollinger:3:2,rsi:2")
        #expect(response.status == 200, "\(response.text)")
        let json = try response.json()
        let starts = json["start_ms"] as? [Int64] ?? []
        let candles = try await server.get("/api/v1/assets/bitcoin/candles?interval=1m&from=\(from)").json()["candles"] as? [[String: Any]] ?? []
        #expect(!starts.isEmpty && starts == candles.compactMap { ($0["start_ms"] as? NSNumber)?.int64Value })
        let series = json["indicators"] as? [[String: Any]] ?? []
        #expect(series.map { $0["key"] as? String } == ["sma:2", "bollinger:3:2", "rsi:2"])
        for entry in series {
            for (_, line) in entry["lines"] as? [String: [Any]] ?? [:] { #expect(line.count == starts.count) }
        }
        #expect(try await server.get("/api/v1/assets/dogecoin/indicators").status == 404)
        await server.stop()
    }

    @Test func unknownRoutesAre404AndWrongMethods405JSON() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let unknownRoute = try await server.get("/api/v1/nope")
        #expect(unknownRoute.status == 404)
        #expect(try unknownRoute.errorFields().code == "not_found")
        let wrongMethod = try await server.send("DELETE", "/api/v1/assets")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET")
        #expect(try wrongMethod.errorFields().code == "method_not_allowed")
        let wrongOnTemplate = try await server.send("POST", "/api/v1/assets/bitcoin/ticks")
        #expect(wrongOnTemplate.status == 405)
        let unknownAsset = try await server.get("/api/v1/assets/dogecoin/ticks")
        #expect(unknownAsset.status == 404)
        #expect(try unknownAsset.errorFields().parameter == "asset")
        #expect(try await server.get("/api/v1/assets/dogecoin/spread").status == 404)
        await server.stop()
    }

    @Test func quotesAndSpreadUseTheMedianOfSources() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let quotes = try await server.get("/api/v1/quotes/latest?assets=bitcoin")
        #expect(quotes.status == 200)
        let list = try #require(try quotes.json()["quotes"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list[0]["price"] as? Double == 131)  // median of 129, 131, 139
        #expect((list[0]["sources"] as? [[String: Any]])?.count == 3)
        let filtered = try await server.get("/api/v1/quotes/latest?assets=bitcoin&sources=coingecko,coinmarketcap")
        #expect((try filtered.json()["quotes"] as? [[String: Any]])?.first?["price"] as? Double == 134)
        let spread = try await server.get("/api/v1/assets/bitcoin/spread").json()
        #expect(spread["spread"] as? Double == 10)
        #expect(spread["consensus_price"] as? Double == 131)
        let assets = try await server.get("/api/v1/assets").json()["assets"] as? [[String: Any]]
        #expect(assets?.map { $0["asset"] as? String } == ["bitcoin", "ethereum"])
        let sources = try await server.get("/api/v1/sources").json()["sources"] as? [[String: Any]]
        #expect(sources?.count == 3)
        await server.stop()
    }

    @Test func ticksPageByCursorAndAcceptISOTimes() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        var cursor: String?
        var prices: [Double] = []
        repeat {
            let path = "/api/v1/assets/bitcoin/ticks?sources=coingecko&from=0&limit=8" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await server.get(path).json()
            prices += (page["ticks"] as? [[String: Any]] ?? []).compactMap { $0["price"] as? Double }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        #expect(prices == (0..<30).map { 100 + Double($0) })
        let fromISO = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(Self.now - 50_000) / 1000))
        let recent = try await server.get("/api/v1/assets/bitcoin/ticks?sources=binance&from=\(fromISO)").json()
        #expect((recent["ticks"] as? [Any])?.count == 5)
        await server.stop()
    }

    @Test func candlesAggregateOverTheRequestedSources() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let body = try await server.get("/api/v1/assets/bitcoin/candles?sources=coingecko&interval=5m&from=0").json()
        let candles = try #require(body["candles"] as? [[String: Any]])
        #expect(candles.map { $0["tick_count"] as? Int ?? 0 }.reduce(0, +) == 30)
        #expect(candles.first?["open"] as? Double == 100)
        #expect(candles.last?["close"] as? Double == 129)
        #expect(candles.allSatisfy { ($0["start_ms"] as? Int64 ?? 1) % 300_000 == 0 })
        await server.stop()
    }

    @Test func managementNeedsNoTokenOnLoopbackButAValidOneElsewhere() async throws {
        let loopback = try await RunningServer.start(data: await Self.seeded())
        #expect(try await loopback.post("/api/v1/lake/compact", json: "{}").status == 200)
        await loopback.stop()

        let open = try await RunningServer.start(configuration: ServerConfiguration(host: "0.0.0.0", port: 0, token: "s3cret"), data: await Self.seeded())
        for path in ["/api/v1/lake/compact", "/api/v1/lake/vacuum", "/api/v1/lake/retention", "/api/v1/sql"] {
            let denied = try await open.post(path, json: "{}")
            #expect(denied.status == 401, "\(path)")
            #expect(try denied.errorFields().code == "unauthorized")
            let wrong = try await open.post(path, json: "{}", headers: ["Authorization": "Bearer s3cre"])
            #expect(wrong.status == 401)
        }
        let allowed = try await open.post("/api/v1/lake/compact", json: "{}", headers: ["Authorization": "Bearer s3cret"])
        #expect(allowed.status == 200)
        #expect(try allowed.json()["version"] as? Int == 3)
        #expect(try await open.get("/api/v1/lake").status == 200)
        await open.stop()

        let unconfigured = ServerConfiguration(host: "0.0.0.0", port: 0)
        let fenced = try await RunningServer.start(configuration: unconfigured, data: await Self.seeded())
        #expect(try await fenced.post("/api/v1/lake/compact", json: "{}").status == 401)
        await fenced.stop()
        let (withToken, generated) = unconfigured.withGeneratedTokenIfNeeded()
        #expect(generated?.count == 64)
        #expect(withToken.token == generated)
        #expect(ServerConfiguration().withGeneratedTokenIfNeeded().generatedToken == nil)
    }

    @Test func managementBodiesAreValidated() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let missing = try await server.post("/api/v1/lake/retention", json: "{}")
        #expect(missing.status == 400)
        #expect(try missing.errorFields().code == "missing_parameter")
        #expect(try missing.errorFields().parameter == "days")
        let zero = try await server.post("/api/v1/lake/retention", json: #"{"days": 0}"#)
        #expect(try zero.errorFields().parameter == "days")
        let text = try await server.post("/api/v1/lake/vacuum", json: #"{"dry_run": "yes"}"#)
        #expect(try text.errorFields().parameter == "dry_run")
        let notJSON = try await server.post("/api/v1/lake/vacuum", json: "[1,2")
        #expect(try notJSON.errorFields().code == "invalid_body")
        let big = try await server.post("/api/v1/sql", json: #"{"sql": ""# + String(repeating: "x", count: 70_000) + #""}"#)
        #expect(big.status == 413)
        let dry = try await server.post("/api/v1/lake/vacuum", json: "")
        #expect(try dry.json()["dry_run"] as? Bool == true)
        await server.stop()
    }

    @Test func sqlIsGuardedThenRun() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        let chained = try await server.post("/api/v1/sql", json: #"{"sql": "SELECT 1; DROP TABLE ticks"}"#)
        #expect(chained.status == 400)
        #expect(try chained.errorFields().code == "sql_rejected")
        #expect(try chained.errorFields().parameter == "sql")
        let attach = try await server.post("/api/v1/sql", json: #"{"sql": "ATTACH 'x.db'"}"#)
        #expect(try attach.errorFields().code == "sql_rejected")
        let limit = try await server.post("/api/v1/sql", json: #"{"sql": "SELECT * FROM ticks", "limit": 0}"#)
        #expect(try limit.errorFields().parameter == "limit")
        let ok = try await server.post("/api/v1/sql", json: #"{"sql": "SELECT asset, price FROM ticks WHERE asset = 'ethereum' ORDER BY price DESC", "limit": 2}"#)
        #expect(ok.status == 200)
        let result = try ok.json()
        #expect(result["columns"] as? [String] == ["asset", "price"])
        #expect((result["rows"] as? [[Any]])?.count == 2)
        #expect(result["truncated"] as? Bool == true)
        await server.stop()
    }

    @Test func liveFeedStreamsOnlyMatchingTicksWithHeartbeats() async throws {
        var configuration = ServerConfiguration(port: 0)
        configuration.heartbeatInterval = .milliseconds(200)
        let server = try await RunningServer.start(configuration: configuration)
        let stream = try await HTTPTestClient.openStream(port: server.port, "/api/v1/live?assets=bitcoin&sources=binance")
        let connected = try await HTTPTestClient.offload { try stream.readUntil(seconds: 10) { $0.contains(": connected") } }
        #expect(connected.lowercased().contains("content-type: text/event-stream"))
        let now = currentUnixMillis()
        await server.data.append([
            SampleTicks.tick("coingecko", "bitcoin", price: 1, at: now),
            SampleTicks.tick("binance", "ethereum", price: 2, at: now),
            SampleTicks.tick("binance", "bitcoin", price: 3, at: now),
        ])
        let text = try await HTTPTestClient.offload {
            try stream.readUntil(seconds: 10) { $0.contains("\"price\":3") && $0.contains(": heartbeat") }
        }
        #expect(text.contains("event: tick"))
        #expect(!text.contains("\"price\":1"))
        #expect(!text.contains("\"price\":2"))
        stream.closeConnection()
        await server.stop()
    }

    @Test func openAPIDocumentIsServedAndDocumentsEveryRoute() async throws {
        let server = try await RunningServer.start()
        let response = try await server.get("/openapi.json")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        let repoCopy = try Data(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("docs/openapi.json"))
        #expect([UInt8](repoCopy) == response.body, "docs/openapi.json must equal Sources/Server/Assets/openapi.json")
        let document = try response.json()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let routed = Set(server.server.makeRouter().apiRoutes.map { "\($0.method) \($0.path)" })
        #expect(documented == routed)
        await server.stop()
    }

    @Test func dashboardAssetsAreServedWithTheirContentTypes() async throws {
        let server = try await RunningServer.start()
        let index = try await server.get("/")
        #expect(index.status == 200)
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        #expect(index.text.contains("data-testid=\"tab-management\""))
        let expectations = [
            ("/app.css", "text/css; charset=utf-8"),
            ("/js/app.js", "text/javascript; charset=utf-8"),
            ("/js/chart.js", "text/javascript; charset=utf-8"),
            ("/js/tabs/dashboard.js", "text/javascript; charset=utf-8"),
        ]
        for (path, type) in expectations {
            let asset = try await server.get(path)
            #expect(asset.status == 200, "\(path)")
            #expect(asset.headers["content-type"] == type, "\(path)")
            #expect(!asset.body.isEmpty)
        }
        // Every module the page imports is served (no CDN, nothing missing).
        for asset in server.server.assets.assets where asset.path.hasSuffix(".js") {
            let text = String(decoding: asset.bytes, as: UTF8.self)
            #expect(!text.contains("http://") && !text.contains("https://"), "\(asset.path) must not load remote code")
        }
        #expect(try await server.get("/js/../../etc/passwd").status == 404)
        await server.stop()
    }

    @Test func metricsRenderTheGivenRegistry() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "cryptoviz_server_test", unitName: "total", helpText: ""))
            .increment(by: Int64(3))
        let server = try await RunningServer.start(registry: registry)
        let metrics = try await server.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.text.contains("cryptoviz_server_test_total 3"))
        #expect(try await server.get("/healthz").json()["status"] as? String == "ok")
        await server.stop()
    }

    @Test func statsAndLakeReflectTheData() async throws {
        let server = try await RunningServer.start(data: await Self.seeded())
        _ = try await server.get("/api/v1/assets")
        let stats = try await server.get("/api/v1/stats/pipeline").json()
        let pipeline = try #require(stats["pipeline"] as? [String: Any])
        #expect(pipeline["ticks_total"] as? Int == 120)
        #expect(pipeline["freshness_p50_ms"] as? Double == 150)
        #expect((stats["queries"] as? [[String: Any]])?.contains { $0["name"] as? String == "assets" } == true)
        let lake = try await server.get("/api/v1/lake").json()
        #expect(lake["record_count"] as? Int == 120)
        let versions = try await server.get("/api/v1/lake/versions").json()["versions"] as? [[String: Any]]
        #expect(versions?.first?["version"] as? Int == 2)
        await server.stop()
    }
}

/// Graceful shutdown must not hang on open live feeds.
@Suite struct CryptoVizServerShutdownTests {
    @Test func gracefulShutdownEndsOpenLiveStreams() async throws {
        var logger = Logger(label: "cryptoviz.server.test")
        logger.logLevel = .warning
        let data = InMemoryMarketData()
        let server = try CryptoVizServer(configuration: ServerConfiguration(port: 0), data: data, logger: logger)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [server.makeApplication { portContinuation.yield($0) }], logger: logger))
        let running = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p; break }
        let stream = try await HTTPTestClient.openStream(port: port, "/api/v1/live")
        _ = try await HTTPTestClient.offload { try stream.readUntil(seconds: 10) { $0.contains(": connected") } }
        await group.triggerGracefulShutdown()
        // Ended means the chunked body's last chunk arrived, or the connection closed.
        let ended = try await HTTPTestClient.offload { () -> String in
            let deadline = Date().addingTimeInterval(10)
            var seen = ""
            while Date() < deadline {
                switch Result(catching: { try stream.readSome(timeoutSeconds: 1) }) {
                case .success(nil): return "closed"
                case .success(let bytes?):
                    seen += String(decoding: bytes, as: UTF8.self)
                    if seen.hasSuffix("0\r\n\r\n") { return "finished" }
                case .failure: continue
                }
            }
            return "open: \(seen.debugDescription)"
        }
        #expect(ended == "closed" || ended == "finished", "the live stream stayed open after graceful shutdown: \(ended)")
        stream.closeConnection()
        try await running.value
    }
}
