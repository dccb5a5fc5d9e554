import Testing
@testable import Server

/// The guard only trims and refuses empty or oversized text; what a statement does is judged
/// by the engine's parser (`SQLSecurityTests`, `SQLStatementCheckTests`).
@Suite struct SQLGuardTests {
    @Test(arguments: [
        ("SELECT * FROM ticks", "SELECT * FROM ticks"),
        ("  select 1;\n", "select 1;"),
        ("\tSELECT E'\\'' AS a -- left for DuckDB to judge\n", "SELECT E'\\'' AS a -- left for DuckDB to judge"),
    ])
    func trimsWhitespaceOnly(_ sql: String, _ expected: String) throws {
        #expect(try SQLGuard.check(sql) == expected)
    }

    @Test(arguments: ["", "   ", "\n\t "])
    func rejectsEmptyText(_ sql: String) {
        #expect(throws: SQLGuard.Rejection(code: .empty, message: "statement is empty")) { try SQLGuard.check(sql) }
    }

    @Test func rejectsStatementsOverTheSizeLimit() throws {
        let long = "SELECT " + String(repeating: "1 + ", count: 100) + "1"
        #expect(throws: SQLGuard.Rejection(code: .tooLong, message: "statement is longer than 100 bytes")) {
            try SQLGuard.check(long, maxLength: 100)
        }
        #expect(try SQLGuard.check(String(long.prefix(100)), maxLength: 100).count == 100)
    }
}
