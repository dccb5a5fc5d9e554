import CryptoVizCore
import Foundation
import Lakehouse
import Testing
import TestSupport
@testable import Server

/// Issue #12's probes, and variants, against a real server over a real lake with the real
/// DuckDB CLI: statements that write, reach outside the lake, change settings or escape the
/// CLI are refused and leave every byte of the data folder as it was; queries stop at their
/// deadline with their whole process group; slow queries leave the server responsive; the
/// spill and result-size caps hold; and a table of 20 000 files can be queried.
@Suite(.serialized) struct SQLSecurityTests {
    /// Statements that must be refused (4xx). `LAKEFILE` is replaced by a committed data file
    /// of the lake, `DATA` by the server's data folder.
    static let probes: [String] = [
        // Issue #12 verbatim: an escape string hid a stacked COPY from the old tokenizer.
        "SELECT E'\\'' AS a) AS q; COPY (SELECT 'x' AS v) TO 'LAKEFILE' (FORMAT csv); SELECT * FROM (SELECT 1 AS a --'",
        "SELECT E'\\'' AS a; COPY (SELECT 'x' AS v) TO 'LAKEFILE' (FORMAT csv)",
        "SELECT 1 /* /* */ */; COPY (SELECT 'x' AS v) TO 'LAKEFILE' (FORMAT csv)",
        "SELECT $x$'$x$ AS a; COPY (SELECT 'x' AS v) TO 'LAKEFILE' (FORMAT csv, USE_TMP_FILE false)",
        "SELECT $$ ; $$ AS a; ATTACH 'DATA/evil.db' AS evil",
        "COPY (SELECT 'x' AS v) TO 'LAKEFILE' (FORMAT csv)",
        "COPY ticks TO 'DATA/dump.parquet'",
        "EXPORT DATABASE 'DATA/export'",
        "ATTACH 'DATA/evil.db' AS evil",
        "DETACH memory",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET memory_limit = '100GB'",
        "SET threads = 64",
        "RESET threads",
        "SET enable_external_access = true",
        "PRAGMA threads = 64",
        "CALL pragma_version()",
        "CREATE TABLE evil AS SELECT 1",
        "CREATE MACRO evil(x) AS x",
        "SELECT 1; SELECT 2",
        "SELECT 1; SET threads = 64",
        "SELECT 1；COPY (SELECT 'x' AS v) TO 'DATA/fullwidth.csv' (FORMAT csv)",
        "SELECT 'ünïcödé ☃' AS s; COPY (SELECT 'x' AS v) TO 'DATA/unicode.csv' (FORMAT csv)",
        "EXPLAIN ANALYZE SELECT 1",
        "CHECKPOINT",
        "BEGIN TRANSACTION",
        // CLI dot-commands, alone and after a statement on a new line.
        ".shell touch DATA/pwned",
        ".output DATA/output.txt",
        ".read /etc/passwd",
        ".open DATA/evil.db",
        "SELECT 1;\n.shell touch DATA/pwned",
        "SELECT 1\n.shell touch DATA/pwned\n",
        "SELECT 1 AS a;\n.output DATA/output.txt\nSELECT 2",
        // Reads outside the lake (parse as one SELECT; DuckDB's file fence refuses them).
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_text('LAKEDIR/../../../../../etc/passwd')",
        "SELECT * FROM read_csv('DATA/tmp/sql/x.csv')",
        "SELECT getenv('HOME') AS home",
        "SELECT * FROM query('COPY (SELECT 1 AS v) TO ''DATA/inner.csv'' (FORMAT csv)')",
        "SELECT * FROM query_table('read_text(''/etc/passwd'')')",
        "",
        "   ",
    ]

    @Test func everyProbeIsRefusedAndChangesNoByte() async throws {
        let server = try await LakeSQLServer.start()
        let lakeFile = server.table.delta.root + (try #require(try await server.table.snapshot().delta.files.first).relativeKey)
        let data = server.data.resolvingSymlinksInPath().path
        let before = try FileTreeSnapshot(server.data, excluding: ["tmp"])
        let lakeBefore = try FileTreeSnapshot(server.lake)
        for probe in Self.probes {
            let statement = probe.replacingOccurrences(of: "LAKEFILE", with: server.lake.path + "/" + lakeFile)
                .replacingOccurrences(of: "LAKEDIR", with: server.lake.path)
                .replacingOccurrences(of: "DATA", with: data)
            let response = try await server.sql(statement)
            #expect((400..<500).contains(response.status), "\(probe) answered \(response.status): \(response.text.prefix(300))")
            let after = try FileTreeSnapshot(server.data, excluding: ["tmp"])
            #expect(after == before, "\(probe) changed \(before.differences(after))")
        }
        #expect(try FileTreeSnapshot(server.lake) == lakeBefore)
        // Each request's scratch folder is removed when it ends.
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.scratch.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        await server.stop()
    }

    @Test func theSessionsSettingsAreTheLockedOnes() async throws {
        let server = try await LakeSQLServer.start()
        for probe in ["SET threads = 64", "SELECT 1; SET memory_limit = '100GB'"] {
            #expect(try await server.sql(probe).status == 400)
        }
        let settings = try await server.sql("""
            SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory,
              current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked,
              current_setting('autoload_known_extensions') AS autoload, current_setting('max_temp_directory_size') AS spill
            """)
        #expect(settings.status == 200, "\(settings.text)")
        let row = try #require((try settings.json()["rows"] as? [[Any]])?.first)
        #expect(row[0] as? Int == 2)
        // DuckDB shows 1GB (10^9 bytes) in binary units.
        #expect(row[1] as? String == "953.6 MiB", "\(row)")
        #expect(row[2] as? Bool == false)
        #expect(row[3] as? Bool == true)
        #expect(row[4] as? Bool == false)
        #expect(row[5] as? String == "953.6 MiB", "\(row)")
        await server.stop()
    }

    @Test func readOnlyQueriesStillWork() async throws {
        let server = try await LakeSQLServer.start()
        let count = try await server.sql("SELECT count(*) AS n, count(DISTINCT source) AS sources FROM ticks")
        #expect(count.status == 200, "\(count.text)")
        let row = try #require((try count.json()["rows"] as? [[Any]])?.first)
        #expect(row[0] as? Int == SQLSampleLake.ticks().count)
        #expect(row[1] as? Int == 3)
        // What the old tokenizer choked on is fine as data inside one SELECT.
        let quoted = try await server.sql("SELECT E'a\\'b' AS e, $tag$ ; COPY $tag$ AS d /* /* nested */ */ -- ;\n")
        #expect(quoted.status == 200, "\(quoted.text)")
        #expect((try quoted.json()["rows"] as? [[Any]])?.first?.compactMap { $0 as? String } == ["a'b", " ; COPY "])
        // DuckDB nests block comments: this COPY is inside one, so it is a plain SELECT 1.
        let nested = server.data.appendingPathComponent("nested.csv")
        let hidden = try await server.sql("SELECT 1 AS one /* /* */ ; COPY (SELECT 'x' AS v) TO '\(nested.path)' (FORMAT csv) /* */ */")
        #expect(hidden.status == 200, "\(hidden.text)")
        #expect((try hidden.json()["rows"] as? [[Any]])?.first?.first as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: nested.path))
        let with = try await server.sql("""
            WITH latest AS (SELECT asset, max(price) AS p FROM ticks GROUP BY asset)
            SELECT asset FROM latest UNION ALL SELECT 'ünïcödé' ORDER BY asset
            """)
        #expect(with.status == 200, "\(with.text)")
        #expect((try with.json()["rows"] as? [[Any]])?.compactMap { $0.first as? String } == ["bitcoin", "ethereum", "ünïcödé"])
        let limited = try await server.sql("SELECT * FROM ticks ORDER BY source_time_ms", limit: 5)
        #expect((try limited.json()["rows"] as? [[Any]])?.count == 5)
        #expect(try limited.json()["truncated"] as? Bool == true)
        await server.stop()
    }

    @Test func aQueryPastItsDeadlineIsStoppedWithItsWholeProcessGroup() async throws {
        let server = try await LakeSQLServer.start(timeout: .seconds(3))
        let started = ContinuousClock.now
        async let answer = server.sql("SELECT count(*) FROM range(1000000000000)")
        var groups = Set<pid_t>()
        while groups.isEmpty, ContinuousClock.now - started < .seconds(3) {
            groups.formUnion(ChildProcesses.named("duckdb").map(\.processGroup))
            try await Task.sleep(for: .milliseconds(20))
        }
        let response = try await answer
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 504, "\(response.text)")
        #expect(try response.errorFields().code == "timeout")
        #expect(elapsed < .seconds(5), "answered after \(elapsed)")
        #expect(!groups.isEmpty, "no duckdb child was seen while the query ran")
        for group in groups {
            #expect(ChildProcesses.groupIsGone(group), "process group \(group) still has processes")
        }
        #expect(ChildProcesses.named("duckdb").isEmpty)
        await server.stop()
    }

    @Test func slowQueriesLeaveTheServerResponsiveAndExtraOnesAreRefused() async throws {
        // Four running at once: more than the cooperative pool has threads on this machine,
        // so a blocking wait on any of them would starve the server.
        // Generous times: on a loaded 2-core machine starting four DuckDB processes (each after
        // its statement check) has taken more than 5 s.
        let server = try await LakeSQLServer.start(timeout: .seconds(25), maxRunning: 4, maxWaiting: 0)
        let slow = "SELECT count(*) FROM range(1000000000000)"
        let answers = (0..<4).map { _ in Task { try await server.sql(slow) } }
        let started = ContinuousClock.now
        // Each request first runs a statement check (also a `duckdb`), so count the query
        // processes only: four `duckdb`s seen at once may still be three queries and a check.
        func runningQueries() -> Int { ChildProcesses.named("duckdb", readingInputEndingWith: "/query.sql").count }
        while runningQueries() < 4, ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(runningQueries() == 4)
        try await Task.sleep(for: .milliseconds(300))
        var latencies: [Duration] = []
        for _ in 0..<5 {
            let asked = ContinuousClock.now
            let health = try await server.get("/healthz")
            latencies.append(ContinuousClock.now - asked)
            #expect(health.status == 200)
        }
        #expect(latencies.sorted()[2] < .milliseconds(100), "healthz latencies \(latencies)")
        let refused = try await server.sql("SELECT 1")
        #expect(refused.status == 429, "\(refused.text)")
        #expect(try refused.errorFields().code == "too_many_requests")
        #expect(refused.headers["retry-after"] == "1")
        for answer in answers {
            #expect(try await answer.value.status == 504)
        }
        #expect(ChildProcesses.named("duckdb").isEmpty)
        #expect(try await server.sql("SELECT 1 AS one").status == 200)
        await server.stop()
    }

    @Test func spillBeyondTheCapStopsTheQueryWithAClearError() async throws {
        let cap = 64 * 1024 * 1024
        let server = try await LakeSQLServer.start(engine: {
            $0.maxTempDirectorySize = "64MiB"
            $0.memoryLimit = "128MiB"
        }, timeout: .seconds(60))
        let tmp = server.data.appendingPathComponent("tmp")
        let peak = PeakSampler { FileTreeSnapshot.bytes(under: tmp) }
        let response = try await server.sql("SELECT count(*) FROM (SELECT DISTINCT range AS v FROM range(150000000))")
        let highest = peak.stop()
        #expect(response.status == 400, "\(response.text.prefix(400))")
        #expect(response.text.contains("temporary disk space"), "\(response.text.prefix(400))")
        #expect(highest > 0, "nothing was spilled under \(tmp.path)")
        #expect(highest <= cap + cap / 10, "spilled \(highest) bytes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.scratch.path).isEmpty)
        await server.stop()
    }

    @Test func aResultBeyondTheByteCapIsStopped() async throws {
        let server = try await LakeSQLServer.start(engine: { $0.maxResultBytes = 1_000_000 })
        let large = try await server.sql("SELECT repeat('x', 1000) AS s FROM range(5000)", limit: 10_000)
        #expect(large.status == 413, "\(large.text.prefix(300))")
        #expect(try large.errorFields().code == "payload_too_large")
        #expect(ChildProcesses.named("duckdb").isEmpty)
        let small = try await server.sql("SELECT repeat('x', 1000) AS s FROM range(500)", limit: 10_000)
        #expect(small.status == 200)
        #expect((try small.json()["rows"] as? [[Any]])?.count == 500)
        await server.stop()
    }

    @Test func aTableOfTwentyThousandFilesCanBeQueried() async throws {
        let files = 20_000
        let server = try await LakeSQLServer.start(timeout: .seconds(120)) { table, lake in
            // One real data file, hard-linked 20 000 times and committed as 20 000 files: the
            // engine must name them all without hitting the argv limit (E2BIG at 1 055).
            let tick = SQLSampleLake.ticks()[0]
            let template = try #require(try await table.writeFiles([SQLSampleLake.record(tick)]).first)
            let folder = (template.relativeKey as NSString).deletingLastPathComponent
            let tableDirectory = lake.path + "/" + table.delta.root  // the lake's tick table, ticks/
            var adds: [AddFile] = []
            for index in 0..<files {
                var add = template
                add.path = DeltaPath.encode("\(folder)/part-\(index)-linked.parquet")
                guard link(tableDirectory + template.relativeKey, tableDirectory + add.relativeKey) == 0 else {
                    throw TestClientError("link failed: \(errno)")
                }
                adds.append(add)
            }
            try await table.commit(files: adds, transactions: [:])
        }
        let response = try await server.sql("SELECT count(*) AS n, count(DISTINCT asset) AS assets FROM ticks")
        #expect(response.status == 200, "\(response.text.prefix(400))")
        let row = try #require((try response.json()["rows"] as? [[Any]])?.first)
        #expect(row[0] as? Int == files)
        #expect(row[1] as? Int == 1)
        await server.stop()
    }
}

/// Samples a value on its own thread every 20 ms and keeps the highest.
final class PeakSampler: @unchecked Sendable {
    // @unchecked: `highest` and `running` are only touched under `lock`.
    private let lock = NSLock()
    private var highest = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(_ sample: @escaping @Sendable () -> Int) {
        Thread { [self] in
            while lock.withLock({ running }) {
                let value = sample()
                lock.withLock { highest = max(highest, value) }
                usleep(20_000)
            }
            done.signal()
        }.start()
    }

    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { highest }
    }
}
