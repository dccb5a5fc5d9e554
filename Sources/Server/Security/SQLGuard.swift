/// Accepts only a single read-only query (`SELECT` or `WITH ... SELECT`) before it reaches the
/// SQL engine.
///
/// It scans the text outside string literals, quoted identifiers and comments, and rejects:
/// more than one statement (a `;` followed by anything but whitespace/comments); a first keyword
/// other than SELECT/WITH; any statement keyword that changes state or reaches outside the lake
/// (ATTACH, COPY, INSTALL, LOAD, PRAGMA, SET, CREATE, INSERT, ...); and table functions that read
/// arbitrary files or the environment (read_csv, read_text, glob, getenv, ...). The engine must
/// still run read-only: this guard is the first of two fences, not the only one.
public enum SQLGuard {
    /// Why a statement was refused.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Code: String, Sendable {
            case empty, tooLong, multipleStatements, notAQuery, forbiddenKeyword, forbiddenFunction, unterminated
        }
        public var code: Code
        public var message: String
        public var description: String { message }
    }

    static let forbiddenKeywords: Set<String> = [
        "attach", "detach", "copy", "install", "load", "force", "pragma", "set", "reset", "create", "insert",
        "update", "delete", "drop", "alter", "call", "export", "import", "vacuum", "checkpoint", "use",
        "truncate", "merge", "grant", "revoke", "begin", "commit", "rollback", "transaction", "analyze",
        "execute", "prepare", "deallocate", "into", "upsert", "secret", "summarize",
    ]

    static let forbiddenFunctions: Set<String> = [
        "read_text", "read_blob", "read_csv", "read_csv_auto", "read_json", "read_json_auto",
        "read_json_objects", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "glob",
        "getenv", "sniff_csv", "read_xlsx", "st_read", "sqlite_scan", "sqlite_attach", "postgres_scan",
        "mysql_scan", "query_table", "query", "duckdb_secrets", "duckdb_settings", "which_secret",
    ]

    /// The statement without surrounding whitespace and one trailing `;`, or a `Rejection`.
    public static func check(_ sql: String, maxLength: Int = 20_000) throws(Rejection) -> String {
        guard sql.utf8.count <= maxLength else {
            throw Rejection(code: .tooLong, message: "statement is longer than \(maxLength) bytes")
        }
        let words = try scan(sql)
        guard let first = words.first else { throw Rejection(code: .empty, message: "statement is empty") }
        guard first.text == "select" || first.text == "with" else {
            throw Rejection(code: .notAQuery, message: "only a single SELECT or WITH query is allowed, found '\(first.text.uppercased())'")
        }
        for (index, word) in words.enumerated() {
            if word.text == ";" {
                throw Rejection(code: .multipleStatements, message: "only one statement is allowed (found ';' followed by more text)")
            }
            if forbiddenKeywords.contains(word.text) {
                throw Rejection(code: .forbiddenKeyword, message: "keyword \(word.text.uppercased()) is not allowed in a read-only query")
            }
            if forbiddenFunctions.contains(word.text), index + 1 < words.count, words[index + 1].text == "(" {
                throw Rejection(code: .forbiddenFunction, message: "function \(word.text) is not allowed: it reads outside the lake")
            }
        }
        var trimmed = Substring(sql).drop { $0.isWhitespace }
        while trimmed.last?.isWhitespace == true { trimmed = trimmed.dropLast() }
        if trimmed.last == ";" { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    struct Word { var text: String }

    /// Lower-cased bare words plus `;` and `(` tokens, skipping literals, quoted names and
    /// comments; a trailing `;` (only whitespace/comments after it) is dropped.
    static func scan(_ sql: String) throws(Rejection) -> [Word] {
        let bytes = Array(sql.utf8)
        var words: [Word] = []
        var i = 0
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty {
                words.append(Word(text: String(decoding: current, as: UTF8.self).lowercased()))
                current.removeAll()
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                flush()
                var j = i + 1
                while true {
                    guard j < bytes.count else { throw Rejection(code: .unterminated, message: "unterminated quoted text") }
                    if bytes[j] == b {
                        if j + 1 < bytes.count, bytes[j + 1] == b { j += 2; continue }
                        break
                    }
                    j += 1
                }
                i = j + 1
                words.append(Word(text: b == UInt8(ascii: "'") ? "'literal'" : "\"name\""))
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                flush()
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                flush()
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "*") && bytes[j + 1] == UInt8(ascii: "/")) { j += 1 }
                guard j + 1 < bytes.count else { throw Rejection(code: .unterminated, message: "unterminated comment") }
                i = j + 2
            case UInt8(ascii: "$"):
                // Dollar-quoted strings ($$...$$ / $tag$...$tag$) could hide text from the scan.
                throw Rejection(code: .forbiddenKeyword, message: "dollar-quoted strings are not allowed")
            case UInt8(ascii: ";"), UInt8(ascii: "("):
                flush()
                words.append(Word(text: String(UnicodeScalar(b))))
                i += 1
            default:
                let isWordByte = (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95 || b >= 128
                if isWordByte { current.append(b) } else { flush() }
                i += 1
            }
        }
        flush()
        if words.last?.text == ";" { words.removeLast() }
        return words
    }
}
