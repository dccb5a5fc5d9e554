import Testing
@testable import Server

@Suite struct SQLGuardTests {
    @Test(arguments: [
        "SELECT * FROM ticks",
        "select price from ticks where asset = 'bitcoin' limit 10;",
        "  WITH recent AS (SELECT * FROM ticks) SELECT count(*) FROM recent  ",
        "SELECT 'DROP TABLE x; ATTACH' AS text FROM ticks",
        "SELECT \"set\" FROM ticks -- a comment; with a semicolon\n",
        "SELECT replace(symbol, 'B', 'b') FROM ticks /* load copy */",
        "SELECT * FROM ticks;  -- trailing comment",
    ])
    func acceptsSingleReadOnlyQueries(_ sql: String) throws {
        let checked = try SQLGuard.check(sql)
        #expect(!checked.hasSuffix(";"))
        #expect(checked.first?.isWhitespace == false)
    }

    @Test(arguments: [
        ("SELECT 1; SELECT 2", SQLGuard.Rejection.Code.multipleStatements),
        ("SELECT 1; DROP TABLE ticks", .multipleStatements),
        ("SELECT 1 /* x */ ; ATTACH 'evil.db'", .multipleStatements),
        ("ATTACH 'x.db' AS x", .notAQuery),
        ("COPY ticks TO '/tmp/x.csv'", .notAQuery),
        ("INSTALL httpfs", .notAQuery),
        ("LOAD httpfs", .notAQuery),
        ("PRAGMA database_list", .notAQuery),
        ("SET threads = 1", .notAQuery),
        ("CREATE TABLE t AS SELECT 1", .notAQuery),
        ("DELETE FROM ticks", .notAQuery),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", .forbiddenKeyword),
        ("SELECT * FROM read_csv('/etc/passwd')", .forbiddenFunction),
        ("SELECT * FROM READ_TEXT ('/etc/shadow')", .forbiddenFunction),
        ("SELECT getenv('HOME')", .forbiddenFunction),
        ("SELECT $$hidden$$", .forbiddenKeyword),
        ("", .empty),
        ("  -- only a comment", .empty),
        ("SELECT 'unterminated", .unterminated),
        ("SELECT 1 /* open", .unterminated),
    ])
    func rejectsEverythingElse(_ sql: String, _ code: SQLGuard.Rejection.Code) {
        #expect(throws: SQLGuard.Rejection.self) { try SQLGuard.check(sql) }
        do {
            _ = try SQLGuard.check(sql)
        } catch {
            #expect(error.code == code, "\(sql): \(error.message)")
        }
    }

    @Test func rejectsStatementsOverTheSizeLimit() {
        let long = "SELECT " + String(repeating: "1 + ", count: 100) + "1"
        #expect(throws: SQLGuard.Rejection.self) { try SQLGuard.check(long, maxLength: 100) }
    }
}
