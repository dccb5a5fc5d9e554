import CryptoVizCore

/// A deliberately small SQL subset over in-memory ticks, so the Explorer works without DuckDB:
/// `SELECT <*|count(*)|col, ...> FROM <ticks|information_schema.columns> [WHERE col <op> literal
/// [AND ...]] [ORDER BY col [ASC|DESC], ...] [LIMIT n]` with ops `= != <> < <= > >=`.
/// `information_schema.columns` lists the columns of `ticks` as DuckDB's catalog does (its
/// `table_schema`, `table_name`, `column_name`, `ordinal_position`, `data_type`), for the
/// Explorer's schema browser.
///
/// Anything else is rejected with `invalid_argument` naming what was not understood; the lake
/// path runs full DuckDB SQL instead.
enum InMemorySQL {
    static let columns = [
        "source", "asset", "symbol", "quote_currency", "price", "market_cap", "volume_24h",
        "change_1h", "change_24h", "change_7d", "source_time_ms", "collected_time_ms",
    ]

    static let catalogColumns = ["table_schema", "table_name", "column_name", "ordinal_position", "data_type"]

    /// The rows of `information_schema.columns`: one per column of `ticks`.
    static var catalogRows: [[SQLValue]] {
        columns.enumerated().map { i, name in
            let type = ["price", "market_cap", "volume_24h", "change_1h", "change_24h", "change_7d"].contains(name) ? "DOUBLE"
                : name.hasSuffix("_ms") ? "BIGINT" : "VARCHAR"
            return [.string("main"), .string("ticks"), .string(name), .int(Int64(i + 1)), .string(type)]
        }
    }

    static func value(_ tick: Tick, _ column: String) -> SQLValue {
        func number(_ d: Double?) -> SQLValue { d.map(SQLValue.double) ?? .null }
        switch column {
        case "source": return .string(tick.source.rawValue)
        case "asset": return .string(tick.asset.rawValue)
        case "symbol": return .string(tick.symbol)
        case "quote_currency": return .string(tick.quoteCurrency)
        case "price": return .double(tick.price)
        case "market_cap": return number(tick.marketCap)
        case "volume_24h": return number(tick.volume24h)
        case "change_1h": return number(tick.change1h)
        case "change_24h": return number(tick.change24h)
        case "change_7d": return number(tick.change7d)
        case "source_time_ms": return .int(tick.sourceTimeMillis)
        default: return .int(tick.collectedTimeMillis)
        }
    }

    static func tokenize(_ sql: String) throws -> [String] {
        var tokens: [String] = []
        var chars = Array(sql)[...]
        while let c = chars.first {
            if c.isWhitespace { chars = chars.dropFirst(); continue }
            if c == "'" {
                var literal = "'"
                chars = chars.dropFirst()
                while let d = chars.first, d != "'" { literal.append(d); chars = chars.dropFirst() }
                guard !chars.isEmpty else { throw bad("unterminated string literal") }
                chars = chars.dropFirst()
                tokens.append(literal + "'")
            } else if "<>!=".contains(c) {
                var op = String(c)
                chars = chars.dropFirst()
                if let d = chars.first, "=>".contains(d) { op.append(d); chars = chars.dropFirst() }
                tokens.append(op)
            } else if ",()*;".contains(c) {
                tokens.append(String(c)); chars = chars.dropFirst()
            } else {
                var word = ""
                while let d = chars.first, d.isLetter || d.isNumber || d == "_" || d == "." || d == "-" {
                    word.append(d); chars = chars.dropFirst()
                }
                guard !word.isEmpty else { throw bad("unexpected character '\(c)'") }
                tokens.append(word)
            }
        }
        return tokens
    }

    /// Anything outside the subset is refused as a statement the source will not run.
    static func bad(_ message: String) -> MarketDataError {
        MarketDataError(.rejected, "in-memory SQL: \(message)")
    }

    static func compare(_ a: SQLValue, _ b: SQLValue) -> Int? {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.null, _), (_, .null): return nil
        default:
            func num(_ v: SQLValue) -> Double? {
                switch v {
                case .int(let i): Double(i)
                case .double(let d): d
                default: nil
                }
            }
            guard let x = num(a), let y = num(b) else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    static func run(_ sql: String, over ticks: [Tick], rowLimit: Int) throws -> SQLResultDTO {
        var t = try tokenize(sql)
        if t.last == ";" { t.removeLast() }
        var i = 0
        func peek() -> String? { i < t.count ? t[i].lowercased() : nil }
        func next() throws -> String {
            guard i < t.count else { throw bad("unexpected end of statement") }
            defer { i += 1 }
            return t[i]
        }
        func expect(_ word: String) throws {
            let got = try next()
            guard got.lowercased() == word else { throw bad("expected \(word.uppercased()), found '\(got)'") }
        }
        try expect("select")
        var requested: [String] = []
        var star = false
        var countOnly = false
        if peek() == "*" {
            i += 1; star = true
        } else if peek() == "count" {
            i += 1; try expect("("); try expect("*"); try expect(")"); countOnly = true
        } else {
            repeat {
                if peek() == "," { i += 1 }
                requested.append(try next().lowercased())
            } while peek() == ","
        }
        try expect("from")
        let table = try next().lowercased()
        let tableColumns: [String]
        switch table {
        case "ticks": tableColumns = columns
        case "information_schema.columns": tableColumns = catalogColumns
        default: throw bad("only tables 'ticks' and 'information_schema.columns' exist")
        }
        func column(_ name: String) throws -> Int {
            guard let index = tableColumns.firstIndex(of: name.lowercased()) else { throw bad("unknown column '\(name)'") }
            return index
        }
        let selected = star ? Array(tableColumns.indices) : try requested.map(column)
        var filters: [(Int, String, SQLValue)] = []
        if peek() == "where" {
            i += 1
            repeat {
                if peek() == "and" { i += 1 }
                let col = try column(try next())
                let op = try next()
                guard ["=", "!=", "<>", "<", "<=", ">", ">="].contains(op) else { throw bad("unsupported operator '\(op)'") }
                let lit = try next()
                let value: SQLValue
                if lit.hasPrefix("'") { value = .string(String(lit.dropFirst().dropLast())) }
                else if let n = Double(lit) { value = .double(n) }
                else { throw bad("expected a literal, found '\(lit)'") }
                filters.append((col, op, value))
            } while peek() == "and"
        }
        var order: [(Int, Bool)] = []
        if peek() == "order" {
            i += 1; try expect("by")
            repeat {
                if peek() == "," { i += 1 }
                let col = try column(try next())
                var descending = false
                if peek() == "desc" { descending = true; i += 1 } else if peek() == "asc" { i += 1 }
                order.append((col, descending))
            } while peek() == ","
        }
        var limit = rowLimit
        if peek() == "limit" {
            i += 1
            let n = try next()
            guard let parsed = Int(n), parsed >= 0 else { throw bad("LIMIT needs a non-negative integer") }
            limit = min(limit, parsed)
        }
        guard i == t.count else { throw bad("unexpected '\(t[i])'") }

        let all = table == "ticks" ? ticks.map { tick in columns.map { value(tick, $0) } } : catalogRows
        var rows = all.filter { row in
            filters.allSatisfy { col, op, lit in
                guard let c = compare(row[col], lit) else { return false }
                switch op {
                case "=": return c == 0
                case "!=", "<>": return c != 0
                case "<": return c < 0
                case "<=": return c <= 0
                case ">": return c > 0
                default: return c >= 0
                }
            }
        }
        if countOnly {
            return SQLResultDTO(columns: ["count_star()"], rows: [[.int(Int64(rows.count))]], truncated: false, elapsedMs: 0)
        }
        if !order.isEmpty {
            rows.sort { a, b in
                for (col, descending) in order {
                    let c = compare(a[col], b[col]) ?? 0
                    if c != 0 { return descending ? c > 0 : c < 0 }
                }
                return false
            }
        }
        let truncated = rows.count > limit && limit == rowLimit
        return SQLResultDTO(
            columns: selected.map { tableColumns[$0] },
            rows: rows.prefix(limit).map { row in selected.map { row[$0] } },
            truncated: truncated, elapsedMs: 0)
    }
}
