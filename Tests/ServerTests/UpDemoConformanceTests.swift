import Foundation
import Testing
import TestSupport

/// schemathesis against a real `cryptoviz up --demo` process: the production data source (HotTail
/// + Delta lake + DuckDB SQL) behind real HTTP, with every operation fuzzed — the management
/// POSTs (compact, vacuum, retention) included — and the lake still consistent afterwards.
@Suite(.serialized) struct UpDemoConformanceTests {
    func get(_ port: Int, _ path: String) async throws -> [String: Any]? {
        let response = try await HTTPTestClient.get(port: port, path)
        guard response.status == 200 else { return nil }
        return try response.json()
    }

    @Test func schemathesisFindsNoFailuresAgainstTheDemoLake() async throws {
        let data = try TestEnvironment.temporaryDirectory("up-schemathesis")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "50", "--data", data.path, "--port", "\(port)", "--interval", "1"],
            environment: ["CRYPTOVIZ_DUCKDB": try TestEnvironment.duckdb()], label: "cryptoviz-up-schemathesis")
        try up.start()
        defer { up.stop(signal: SIGTERM) }
        try LoopbackPort.waitUntilOpen(port, timeout: 60)

        // Wait for data in both halves: quotes in the tail, and two data commits in the lake (so
        // partitions have small files for the fuzzed compactions to merge).
        var quoted = 0
        var version = -1
        for _ in 0..<120 where quoted == 0 || version < 2 {
            quoted = (try await get(port, "/api/v1/quotes/latest")?["quotes"] as? [Any])?.count ?? 0
            version = (try await get(port, "/api/v1/lake")?["version"] as? Int) ?? -1
            try await Task.sleep(for: .milliseconds(500))
        }
        try #require(quoted > 0 && version >= 2, "no data: \(quoted) quotes, lake version \(version)\n\(up.logTail())")

        let result = try await HTTPTestClient.offload {
            try ProcessRunner.run(
                "/bin/bash", [TestEnvironment.oracle("server/schemathesis.sh"), "http://127.0.0.1:\(port)"],
                environment: [
                    "CRYPTOVIZ_PYTHON": try TestEnvironment.python(), "SCHEMATHESIS_MANAGEMENT": "1",
                    "SCHEMATHESIS_MAX_EXAMPLES": "8", "SCHEMATHESIS_REQUEST_TIMEOUT": "60",
                ], check: false)
        }
        #expect(result.status == 0, "schemathesis failed:\n\(result.stdout.suffix(8000))\n\(result.stderr.suffix(2000))")
        // Every operation but the endless live feed was exercised (24 of 25: the five alert routes, indicators,
        // status, sparklines and spread history included).
        #expect(result.stdout.contains("Tested: 24"), "\(result.stdout.suffix(3000))")
        #expect(up.isRunning, "cryptoviz up died under fuzzing:\n\(up.logTail())")

        // After random compactions, vacuums and retentions the table still holds each event
        // exactly once, as delta-rs and DuckDB read it once the process has stopped.
        let versions = try #require(try await get(port, "/api/v1/lake/versions")?["versions"] as? [[String: Any]])
        #expect(versions.contains { $0["operation"] as? String == "OPTIMIZE" }, "no compaction ran: \(versions.prefix(5))")
        up.stop(signal: SIGTERM)
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [data.appendingPathComponent("lake/ticks").path]).stdout
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        let rows = counts["deltalake"]?["rows"] as? Int ?? -1
        #expect(rows > 0 && rows == counts["deltalake"]?["events"] as? Int, "\(counts)")
        #expect(counts["duckdb"]?["rows"] as? Int == rows && counts["duckdb"]?["events"] as? Int == rows, "\(counts)")
    }
}
