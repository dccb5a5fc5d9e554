import CryptoVizCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// Issue #12's probes against a real `cryptoviz up --demo` on loopback, with no token (the
/// default bind): the stacked statement that once overwrote a committed data file, settings
/// changes, and forged cross-site requests. Every one is refused, every data file that existed
/// before is byte-identical after, and `up` keeps running and stops cleanly.
@Suite(.serialized) struct UpDemoSecurityTests {
    func request(_ port: Int, _ path: String, body: String, contentType: String = "application/json",
                 origin: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let origin { request.setValue(origin, forHTTPHeaderField: "Origin") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? -1, String(decoding: data, as: UTF8.self))
    }

    func json(_ sql: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["sql": sql]), as: UTF8.self)
    }

    /// Every file under `directory` with its bytes.
    func files(under directory: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: directory.path) ?? .init() {
            let url = directory.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = try? Data(contentsOf: url)
            }
        }
        return out
    }

    @Test func sqlAndCrossSiteProbesChangeNothing() async throws {
        let data = try TestEnvironment.temporaryDirectory("up-security")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "60", "--assets", "60", "--data", data.path, "--port", "\(port)", "--interval", "1"],
            environment: ["CRYPTOVIZ_DUCKDB": try TestEnvironment.duckdb()], label: "up-security")
        try up.start()
        defer { up.stop(signal: SIGKILL) }
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        let lake = data.appendingPathComponent("lake")
        var before: [String: Data] = [:]
        for _ in 0..<120 where !before.keys.contains(where: { $0.hasSuffix(".parquet") }) {
            try await Task.sleep(for: .milliseconds(250))
            before = files(under: lake)
        }
        let target = try #require(before.keys.first { $0.hasSuffix(".parquet") }, "no data file after 30 s\n\(up.logTail())")
        let targetPath = lake.appendingPathComponent(target).path

        let probes = [
            // The issue's exploit: an escape string and a comment hid a COPY over a data file.
            "SELECT E'\\'' AS a) AS q; COPY (SELECT 'x' AS v) TO '\(targetPath)' (FORMAT csv); SELECT * FROM (SELECT 1 AS a --'",
            "SELECT 1 /* /* */ */; COPY (SELECT 1) TO '\(targetPath)'",
            "COPY (SELECT 1) TO '\(targetPath)' (FORMAT csv)",
            "SET memory_limit='100GB'",
            "SET threads=64",
            "SELECT 1; SET threads=64",
            "ATTACH '\(data.path)/x.db' AS x",
            "SELECT * FROM read_text('/etc/passwd')",
            ".shell touch \(data.path)/pwned",
            "EXPORT DATABASE '\(data.path)/export'",
        ]
        for probe in probes {
            let answer = try await request(port, "/api/v1/sql", body: json(probe))
            #expect((400..<500).contains(answer.status), "\(probe) → \(answer.status) \(answer.body)")
        }
        // Forged browser requests: a page elsewhere posting to the loopback install.
        let forged: [(String, String, String, String?)] = [
            ("/api/v1/sql", json("SELECT 1"), "text/plain", "http://evil.example"),
            ("/api/v1/sql", json("SELECT 1"), "application/json", "http://evil.example"),
            ("/api/v1/lake/vacuum", "{}", "text/plain", nil),
            ("/api/v1/lake/retention", "{\"days\":1}", "application/json", "http://evil.example"),
            ("/api/v1/lake/compact", "{}", "application/x-www-form-urlencoded", "http://evil.example"),
        ]
        for (path, body, type, origin) in forged {
            let answer = try await request(port, path, body: body, contentType: type, origin: origin)
            #expect(answer.status == 403 || answer.status == 415, "\(path) \(type) \(origin ?? "-") → \(answer.status) \(answer.body)")
        }
        // A plain query from the dashboard's own origin still works.
        let fine = try await request(port, "/api/v1/sql", body: json("SELECT count(*) AS n FROM ticks"), origin: "http://127.0.0.1:\(port)")
        #expect(fine.status == 200, "\(fine.body)")

        let after = files(under: lake)
        // Data files, commits and checkpoints never change (`_last_checkpoint` legitimately does).
        for (path, bytes) in before where path.hasSuffix(".parquet") || path.hasSuffix(".json") {
            #expect(after[path] == bytes, "\(path) changed or vanished")
        }
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("pwned").path))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("export").path))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("x.db").path))
        let status = up.stop(signal: SIGTERM)
        #expect(status == 0 && up.logTail().contains("stopped cleanly"), "\(up.logTail())")
    }
}
