import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `cryptoviz up --demo` as a user runs it: a real process serving real HTTP, its lake read by
/// delta-rs and DuckDB, stopped with SIGTERM and restarted on the same data.
@Suite(.serialized) struct EmbeddedUpTests {
    func get(_ url: String) async throws -> [String: Any]? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: url)!),
            (response as? HTTPURLResponse)?.statusCode == 200
        else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    func lakeCounts(_ path: String) throws -> (rows: Int, events: Int, duckRows: Int, duckEvents: Int, columns: [String]) {
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        return (json["deltalake"]?["rows"] as? Int ?? -1, json["deltalake"]?["events"] as? Int ?? -1,
                json["duckdb"]?["rows"] as? Int ?? -1, json["duckdb"]?["events"] as? Int ?? -1,
                json["deltalake"]?["columns"] as? [String] ?? [])
    }

    func startUp(data: URL, port: Int) throws -> ManagedProcess {
        let process = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "200", "--data", data.path, "--port", "\(port)", "--interval", "1"],
            environment: ["CRYPTOVIZ_DUCKDB": try TestEnvironment.duckdb()], label: "cryptoviz-up")
        try process.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        return process
    }

    @Test func demoServesLiveDataAndRestartsWithoutDuplicates() async throws {
        let data = try TestEnvironment.temporaryDirectory("up-demo")
        let port = try LoopbackPort.free()
        let first = try startUp(data: data, port: port)
        let base = "http://127.0.0.1:\(port)/api/v1"

        // Live data within seconds: quotes for the watched top 100 assets, most of them from the
        // three aggregator-and-Binance providers (the simulator lists no Binance pair for some;
        // Coinbase and Kraken list fewer; exact cross-source identity is checked in CollectorsTests).
        var quoted = 0
        var fromAllSources = 0
        let core: Set<String> = ["coingecko", "coinmarketcap", "binance"]
        for _ in 0..<60 {
            if let quotes = try await get("\(base)/quotes/latest")?["quotes"] as? [[String: Any]] {
                quoted = quotes.count
                fromAllSources = quotes.filter { quote in
                    let names = ((quote["sources"] as? [[String: Any]]) ?? []).compactMap { $0["source"] as? String }
                    return core.isSubset(of: Set(names))
                }.count
                if quoted >= 100 && fromAllSources >= 80 { break }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(quoted >= 100, "assets quoted: \(quoted)\n\(first.logTail())")
        #expect(fromAllSources >= 80, "assets quoted by all three sources: \(fromAllSources)")

        // The lake has a data commit (version 0 creates the table; the processor commits every 5 s).
        var version = -1
        for _ in 0..<120 where version < 1 {
            version = (try await get("\(base)/lake")?["version"] as? Int) ?? -1
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(version >= 1, "lake version \(version)")

        // The dashboard in a real browser, against this very process.
        let screenshots = TestEnvironment.repositoryRoot.appendingPathComponent("test-output/screenshots/up-demo").path
        let browser = try ProcessRunner.run(try TestEnvironment.python(), [
            TestEnvironment.oracle("server/browser_test.py"), "--url", "http://127.0.0.1:\(port)", "--screenshots", screenshots,
            "--markets-rows", "100",
        ], check: false)
        print(browser.stdout)
        #expect(browser.status == 0, "browser checks failed:\n\(browser.stdout)\n\(browser.stderr.suffix(3000))")

        // The demo points Coinbase and Kraken at its simulator too (Coinbase's first poll of
        // about 75 products at 8 requests/s takes some 10 s).
        var sourceNames = Set<String>()
        for _ in 0..<60 where !sourceNames.isSuperset(of: ["coinbase", "kraken"]) {
            let sources = try await get("\(base)/sources")?["sources"] as? [[String: Any]] ?? []
            sourceNames = Set(sources.compactMap { $0["source"] as? String })
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(sourceNames == ["coingecko", "coinmarketcap", "binance", "coinbase", "kraken"], "\(sourceNames)")

        first.stop(signal: SIGTERM)
        #expect(first.logTail().contains("stopped cleanly"), "\(first.logTail())")
        // The tick table of the lake `up` writes (<data>/lake).
        let lake = data.appendingPathComponent("lake/ticks").path
        let before = try lakeCounts(lake)
        #expect(before.rows > 0 && before.rows == before.events, "first run: \(before)")
        #expect(before.duckRows == before.rows && before.duckEvents == before.events, "DuckDB disagrees: \(before)")
        #expect(before.columns.starts(with: ["event_id", "source", "asset", "symbol", "quote_currency", "price"]))

        // Restart on the same data: the table continues, still one row per event.
        let second = try startUp(data: data, port: port)
        try await Task.sleep(for: .seconds(6))
        second.stop(signal: SIGTERM)
        let after = try lakeCounts(lake)
        #expect(after.rows > before.rows, "no new rows after restart: \(after) vs \(before)\n\(second.logTail())")
        #expect(after.rows == after.events && after.duckRows == after.rows, "duplicates after restart: \(after)")
    }
}
