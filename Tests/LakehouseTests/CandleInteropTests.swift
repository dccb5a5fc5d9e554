import CryptoVizCore
import Foundation
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// delta-rs and DuckDB's delta_scan read the candles table with the rows and types CryptoViz
/// wrote; schema evolution (a nullable column added later) reads as nulls for older files in
/// all three readers.
@Suite struct CandleInteropTests {
    static let columns = ["source", "asset", "symbol", "quote_currency", "interval", "open_time", "open", "high", "low", "close",
                          "base_volume", "quote_volume", "trade_count", "market_cap", "final", "origin", "ingest_time", "date"]

    /// One row as text, columns in `columns + extras` order, numbers to 6 decimals.
    static func text(_ row: [String: Any], extras: [String]) -> String {
        (columns + extras).map { name -> String in
            let value = row[name]
            switch value {
            case nil, is NSNull: return "\(name)=null"
            case let n as NSNumber where name == "final": return "\(name)=\(n.boolValue)"
            case let n as NSNumber: return "\(name)=" + String(format: "%.6f", n.doubleValue)
            default: return "\(name)=\(value!)"
            }
        }.joined(separator: " ")
    }

    /// What the readers should return for `record`, as `text` formats it.
    static func expected(_ record: CandleRecord, extras: [String]) -> String {
        var row: [String: Any] = [
            "source": record.source.rawValue, "asset": record.asset.rawValue, "symbol": record.symbol,
            "quote_currency": record.quoteCurrency, "interval": record.interval.rawValue,
            "open_time": NSNumber(value: record.openTimeMillis), "open": NSNumber(value: record.open),
            "high": NSNumber(value: record.high), "low": NSNumber(value: record.low), "close": NSNumber(value: record.close),
            "final": NSNumber(value: record.isFinal), "origin": record.origin.rawValue,
            "ingest_time": NSNumber(value: record.ingestTimeMillis),
            "date": CivilDate(unixMillis: record.openTimeMillis).description,
        ]
        if let v = record.baseVolume { row["base_volume"] = NSNumber(value: v) }
        if let v = record.quoteVolume { row["quote_volume"] = NSNumber(value: v) }
        if let n = record.tradeCount { row["trade_count"] = NSNumber(value: n) }
        if let m = record.marketCap { row["market_cap"] = NSNumber(value: m) }
        for name in extras {
            switch record.extra[name] {
            case .double(let d)?: row[name] = NSNumber(value: d)
            case .string(let s)?: row[name] = s
            case .long(let n)?: row[name] = NSNumber(value: n)
            case .boolean(let b)?: row[name] = NSNumber(value: b)
            case .timestampMillis(let t)?: row[name] = NSNumber(value: t)
            case nil: break
            }
        }
        return text(row, extras: extras)
    }

    /// The oracle's rows and column types per engine (delta-rs; DuckDB for the latest version).
    static func reference(_ table: String, version: Int64? = nil) throws -> [String: (types: [String: String], rows: [[String: Any]])] {
        let output = try ProcessRunner.oracle("lakehouse/candles_oracle.py",
                                              ["rows", table] + (version.map { ["--version", String($0)] } ?? [])).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        var out: [String: (types: [String: String], rows: [[String: Any]])] = [:]
        for engine in ["deltalake", "duckdb_delta_scan"] {
            guard let entry = json[engine] as? [String: Any] else { continue }
            out[engine] = (entry["types"] as? [String: String] ?? [:], entry["rows"] as? [[String: Any]] ?? [])
        }
        return out
    }

    static func expectSameRows(_ ours: [CandleRecord], _ reference: [String: (types: [String: String], rows: [[String: Any]])],
                               extras: [String] = [], engines: [String] = ["deltalake", "duckdb_delta_scan"], _ stage: String) {
        let mine = ours.map { expected($0, extras: extras) }.sorted()
        for engine in engines {
            let theirs = (reference[engine]?.rows ?? []).map { text($0, extras: extras) }.sorted()
            #expect(theirs == mine, "\(engine) at \(stage): \(theirs.first ?? "none") vs \(mine.first ?? "none")")
        }
    }

    @Test func deltaRsAndDuckDBReadTheCandlesTableWithItsTypes() async throws {
        let (store, dir) = try TickFixtures.localStore("candles-interop")
        let lake = try await Lake.open(store: store)
        let table = try await lake.candles()
        // Rollups know no traded volume: their volumes are null, in every reader.
        var rollups = CandleFixtures.records(count: 3, interval: .oneMinute, isFinal: false, origin: .rollup)
        for i in rollups.indices { (rollups[i].baseVolume, rollups[i].quoteVolume) = (nil, nil) }
        let records = CandleFixtures.records(count: 5) + rollups
        try await table.append(records)
        #expect(Set(try await table.candles(interval: .oneHour) + table.candles(interval: .oneMinute)) == Set(records))

        let reference = try Self.reference(dir.appendingPathComponent("candles").path)
        Self.expectSameRows(records, reference, "latest")
        let deltaTypes = reference["deltalake"]?.types ?? [:]
        #expect(deltaTypes["open_time"] == "timestamp[us, tz=UTC]", "\(deltaTypes)")
        #expect(deltaTypes["ingest_time"] == "timestamp[us, tz=UTC]")
        #expect(deltaTypes["final"] == "bool" && deltaTypes["trade_count"] == "int64" && deltaTypes["date"] == "date32[day]")
        let duckTypes = reference["duckdb_delta_scan"]?.types ?? [:]
        #expect(duckTypes["open_time"] == "TIMESTAMP WITH TIME ZONE", "\(duckTypes)")
        #expect(duckTypes["final"] == "BOOLEAN" && duckTypes["trade_count"] == "BIGINT" && duckTypes["date"] == "DATE")
        #expect(duckTypes["market_cap"] == "DOUBLE" && duckTypes["interval"] == "VARCHAR")
        for engine in ["deltalake", "duckdb_delta_scan"] {
            let nullVolumes = reference[engine]?.rows.filter { $0["base_volume"] is NSNull && $0["quote_volume"] is NSNull }.count
            #expect(nullVolumes == rollups.count, "\(engine)")
        }
    }

    @Test func addingANullableColumnIsAMetadataCommitAndOldFilesReadAsNull() async throws {
        let (store, dir) = try TickFixtures.localStore("candles-evolution")
        let table = try await Lake.open(store: store).candles()
        let before = CandleFixtures.records(count: 3)
        let v1 = try await table.append(before)

        let v2 = try await table.addColumns([DeltaSchema.Field(name: "vwap", type: .double),
                                             DeltaSchema.Field(name: "venue", type: .string)])
        #expect(v2 == v1 + 1)
        let commit = try DeltaAction.decodeCommit(try await store.get(table.delta.commitKey(v2)), version: v2)
        #expect(commit.allSatisfy {
            switch $0 { case .metadata, .commitInfo: true; default: false }
        }, "metadata only: \(commit)")
        #expect(try await table.snapshot().delta.files.count == (try await table.snapshot(version: v1)).delta.files.count)

        var after = CandleFixtures.records(count: 2, offset: 10)
        for i in after.indices where after[i].source == .binance {
            after[i].extra = ["vwap": .double(after[i].close - 0.5), "venue": .string("spot")]
        }
        try await table.append(after)

        // Ours: older rows have no value for the new columns, newer ones have what was written.
        let ours = try await table.candles(interval: .oneHour)
        #expect(Set(ours) == Set(before + after))
        #expect(ours.filter { !$0.extra.isEmpty }.count == after.filter { $0.source == .binance }.count)
        // Versions before the change still read, without the columns.
        #expect(Set(try await table.snapshot(version: v1).candles(interval: .oneHour)) == Set(before))

        // delta-rs and DuckDB: the same rows, nulls for the files written before the change.
        let reference = try Self.reference(dir.appendingPathComponent("candles").path)
        Self.expectSameRows(before + after, reference, extras: ["vwap", "venue"], "after adding columns")
        #expect(reference["deltalake"]?.types["vwap"] == "double")
        #expect(reference["duckdb_delta_scan"]?.types["vwap"] == "DOUBLE")
        #expect(reference["duckdb_delta_scan"]?.types["venue"] == "VARCHAR")
        let nullVwap = reference["duckdb_delta_scan"]?.rows.filter { $0["vwap"] is NSNull }.count
        #expect(nullVwap == before.count + after.filter { $0.source != .binance }.count)
        // delta-rs time travel to before the change: the old schema.
        let old = try Self.reference(dir.appendingPathComponent("candles").path, version: v1)
        #expect(old["deltalake"]?.types["vwap"] == nil)
        Self.expectSameRows(before, old, engines: ["deltalake"], "version \(v1)")
    }

    @Test func addColumnsRefusesWhatWouldBreakReaders() async throws {
        let (store, _) = try TickFixtures.localStore("candles-evolution-errors")
        let table = try await CandleTable.open(store: store)
        let version = try await table.snapshot().version
        func refused(_ fields: [DeltaSchema.Field], _ words: String) async {
            await #expect(performing: { try await table.addColumns(fields) }, throws: { error in
                guard let error = error as? LakehouseError else { return false }
                return error.code == .invalidArgument && error.message.contains(words)
            })
        }
        await refused([DeltaSchema.Field(name: "vwap", type: .double, nullable: false)], "must be nullable")
        await refused([DeltaSchema.Field(name: "OPEN", type: .double)], "already exists")
        await refused([DeltaSchema.Field(name: "x", type: .double), DeltaSchema.Field(name: "x", type: .string)], "already exists")
        await refused([DeltaSchema.Field(name: "day", type: .date)], "may be string, long, double, boolean or timestamp")
        await refused([], "at least one column")
        #expect(try await table.snapshot().version == version, "nothing committed")
        // A value for a column the table does not have is refused before anything is written.
        var record = CandleFixtures.records(count: 1)[0]
        record.extra = ["vwap": .double(1)]
        await #expect(performing: { try await table.append([record]) }, throws: { ($0 as? LakehouseError)?.code == .invalidArgument })
        // And a value of the wrong type for an added column.
        try await table.addColumns([DeltaSchema.Field(name: "vwap", type: .double)])
        record.extra = ["vwap": .string("high")]
        await #expect(performing: { try await table.append([record]) }, throws: { ($0 as? LakehouseError)?.code == .invalidArgument })
    }
}
