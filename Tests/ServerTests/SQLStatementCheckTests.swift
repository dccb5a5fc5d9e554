import Foundation
import Testing
import TestSupport
@testable import Server

/// DuckDB's parser, through the real CLI, decides what runs: exactly one SELECT (with CTEs
/// and set operations) passes, everything else is refused with a reason.
@Suite struct SQLStatementCheckTests {
    static func verdict(_ statement: String) throws -> String? {
        let folder = try TestEnvironment.temporaryDirectory("statement-check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = DuckDBScript(spillDirectory: folder.path, readableDirectory: nil,
                                  limits: .init(memoryLimit: "256MB", threads: 1, maxTempDirectorySize: "16MB"))
        let input = folder.appendingPathComponent("check.sql").path
        #expect(FileManager.default.createFile(atPath: input, contents: Data(script.check(statement).utf8)))
        let result = try ProcessGroupRun(
            executable: try TestEnvironment.duckdb(), arguments: ["-init", "/dev/null", "-bail", "-jsonlines"],
            environment: ["HOME": folder.path], inputFile: input, deadline: .now + .seconds(20), maxOutputBytes: 1 << 20
        ).run()
        #expect(result.outcome == .exited(status: 0), "\(String(decoding: result.errorOutput, as: UTF8.self))")
        return SQLStatementCheck.rejection(in: result.output)
    }

    @Test(arguments: [
        "SELECT 1",
        "select 1;",
        "WITH a AS (SELECT 1 AS x) SELECT * FROM a UNION ALL SELECT 2",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
        "FROM ticks",
        "VALUES (1), (2)",
        "SELECT E'\\'' AS quote /* /* nested */ */ -- ; COPY",
        "SELECT $t$ ; ATTACH 'x' $t$ AS text",
    ])
    func acceptsOneQuery(_ statement: String) throws {
        #expect(try Self.verdict(statement) == nil)
    }

    @Test(arguments: [
        ("SELECT 1; SELECT 2", "only one statement is allowed, found 2"),
        ("SELECT E'\\'' AS a; COPY (SELECT 1) TO 'x.csv'", "only a single SELECT (or WITH ... SELECT) query is allowed"),
        ("COPY (SELECT 1) TO 'x.csv'", "only a single SELECT (or WITH ... SELECT) query is allowed"),
        ("SET threads = 64", "only a single SELECT (or WITH ... SELECT) query is allowed"),
        ("ATTACH 'x.db'", "only a single SELECT (or WITH ... SELECT) query is allowed"),
        ("PRAGMA version", "only a single SELECT (or WITH ... SELECT) query is allowed"),
        ("-- nothing", "statement is empty"),
        (".shell ls", "the statement does not parse"),
        ("SELECT (", "the statement does not parse"),
    ])
    func refusesEverythingElse(_ statement: String, _ reason: String) throws {
        let verdict = try Self.verdict(statement)
        #expect(verdict?.hasPrefix(reason) == true, "\(statement): \(verdict ?? "accepted")")
    }

    @Test func theUserTextNeverAppearsInAScript() {
        let script = DuckDBScript(spillDirectory: "/data/tmp/sql/q", readableDirectory: "/data/lake/",
                                  limits: .init(memoryLimit: "1GB", threads: 2, maxTempDirectorySize: "1GB"))
        let statement = "SELECT 1;\n.shell touch /tmp/pwned\nSELECT 'x'"
        for text in [script.check(statement), script.query(statement, files: ["/data/lake/a.parquet"], rowLimit: 10)] {
            #expect(!text.contains(".shell"))
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix(".") })
            // The fences come before anything that touches the statement, the lock last of them.
            let lock = text.range(of: "SET lock_configuration = true;")!.lowerBound
            #expect(text.range(of: "from_base64")!.lowerBound > lock)
            #expect(text.range(of: "SET enable_external_access = false;")!.lowerBound < lock)
        }
    }
}

/// The engine runs the native DuckDB binary even when pointed at pip's Python launcher, whose
/// child would survive a kill of the launcher.
@Suite struct DuckDBLocateTests {
    @Test func aPipLauncherResolvesToTheNativeBinaryBesideIt() throws {
        let venv = try TestEnvironment.temporaryDirectory("fake-venv")
        defer { try? FileManager.default.removeItem(at: venv) }
        let bin = venv.appendingPathComponent("bin")
        let package = venv.appendingPathComponent("lib/python3.11/site-packages/duckdb_cli")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        let launcher = bin.appendingPathComponent("duckdb").path
        let native = package.appendingPathComponent("duckdb").path
        #expect(FileManager.default.createFile(atPath: launcher, contents: Data("#!/usr/bin/python3\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(FileManager.default.createFile(atPath: native, contents: Data([0x7f, 0x45, 0x4c, 0x46]), attributes: [.posixPermissions: 0o755]))
        #expect(DuckDBEngine.locate(environment: ["CRYPTOVIZ_DUCKDB": launcher]) == native)
        #expect(DuckDBEngine.locate(environment: ["CRYPTOVIZ_DUCKDB": native]) == native)
        #expect(DuckDBEngine.nativeBinary(for: native) == nil)
    }

    @Test func theTestCommandHandsOverTheNativeBinary() throws {
        let path = try TestEnvironment.duckdb()
        let head = FileManager.default.contents(atPath: path)?.prefix(4)
        #expect(head == Data([0x7f, 0x45, 0x4c, 0x46]), "CRYPTOVIZ_DUCKDB=\(path) is not an ELF binary")
    }
}
