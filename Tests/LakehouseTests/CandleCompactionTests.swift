import CryptoVizCore
import Foundation
import Testing
import TestSupport
@testable import Lakehouse

/// `CandleTable.compact`: a rollup-like table (a small file per partition per commit, open
/// bars rewritten, then finals) ends with one file per partition holding every row, and
/// delta-rs, DuckDB and the table's own reads answer exactly as before.
@Suite struct CandleCompactionTests {
    /// Ten commits of 30 minutes each over midnight (two dates), two sources, two assets; each
    /// commit also rewrites the previous commit's last minute as still open.
    static func rollupLikeTable(_ name: String) async throws -> (CandleTable, URL) {
        let (store, directory) = try TickFixtures.localStore(name)
        let table = try await CandleTable.open(store: store)
        for k in 0..<10 {
            let ingest = CandleFixtures.start + 3_600_000 + Int64(k) * 60_000
            var batch = CandleFixtures.records(count: 30, offset: k * 30, interval: .oneMinute, origin: .rollup, ingestTimeMillis: ingest)
            batch += CandleFixtures.records(count: 1, offset: k * 30 + 30, interval: .oneMinute, isFinal: false, origin: .rollup,
                                            ingestTimeMillis: ingest)
            try await table.append(batch, transactions: ["rollup/test/0": Int64(k)])
        }
        return (table, directory.appendingPathComponent("candles"))
    }

    static func partition(_ file: AddFile) -> String {
        "\((file.partitionValues["date"] ?? nil) ?? "")/\((file.partitionValues["source"] ?? nil) ?? "")"
    }

    static func oracleRows(_ path: URL) throws -> (deltalake: [Any], duckdb: [Any]) {
        let output = try ProcessRunner.oracle("lakehouse/candles_oracle.py", ["rows", path.path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let lake = try #require((json["deltalake"] as? [String: Any])?["rows"] as? [Any])
        let duck = try #require((json["duckdb_delta_scan"] as? [String: Any])?["rows"] as? [Any])
        return (lake, duck)
    }

    @Test func smallFilesBecomeOneFilePerPartitionWithEveryRowKept() async throws {
        let (table, path) = try await Self.rollupLikeTable("candle-compaction")
        let before = try await table.snapshot()
        let filesBefore = Dictionary(grouping: before.delta.files) { Self.partition($0) }
        #expect(filesBefore.count == 4, "two dates by two sources")
        #expect(filesBefore.values.allSatisfy { $0.count >= 4 })
        let rowsBefore = try Self.oracleRows(path)
        var answers: [[CandleRecord]] = []
        var bars: [[CandleBar]] = []
        for asset in CandleFixtures.assets {
            answers.append(try await before.candles(asset: asset, interval: .oneMinute))
            bars.append(try await before.bars(asset: asset, stored: .oneMinute, interval: .oneHour,
                                              fromMillis: CandleFixtures.start, toMillis: CandleFixtures.start + 86_400_000))
        }

        let result = try await table.compact(minFiles: 2)
        #expect(result.version == before.version + 1)
        #expect(result.filesRemoved == before.delta.files.count)
        #expect(result.filesAdded == 4)
        let after = try await table.snapshot()
        let filesAfter = Dictionary(grouping: after.delta.files) { Self.partition($0) }
        #expect(filesAfter.values.allSatisfy { $0.count == 1 })
        #expect(after.transactionVersion(appId: "rollup/test/0") == 9, "the rollup's txn survives")

        let rowsAfter = try Self.oracleRows(path)
        #expect(rowsAfter.deltalake.count == rowsBefore.deltalake.count)
        #expect(NSArray(array: rowsAfter.deltalake) == NSArray(array: rowsBefore.deltalake), "delta-rs reads the same rows")
        #expect(NSArray(array: rowsAfter.duckdb) == NSArray(array: rowsBefore.duckdb), "DuckDB reads the same rows")
        for (k, asset) in CandleFixtures.assets.enumerated() {
            #expect(try await after.candles(asset: asset, interval: .oneMinute) == answers[k])
            #expect(try await after.bars(asset: asset, stored: .oneMinute, interval: .oneHour, fromMillis: CandleFixtures.start,
                                         toMillis: CandleFixtures.start + 86_400_000) == bars[k])
        }
        // The version before still reads (files are removed from the log, not deleted).
        #expect(try await table.snapshot(version: before.version).candles(asset: "bitcoin", interval: .oneMinute) == answers[0])
        // Nothing left to do.
        #expect(try await table.compact(minFiles: 2).version == nil)
    }

    @Test func partitionsWithFewSmallFilesAreLeftAlone() async throws {
        let (table, _) = try await Self.rollupLikeTable("candle-compaction-threshold")
        let version = try await table.snapshot().version
        #expect(try await table.compact(minFiles: 50).version == nil)
        #expect(try await table.snapshot().version == version)
    }
}
