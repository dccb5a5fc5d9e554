import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport

/// `up --demo` on a short compaction schedule: while ticks, rollup candles and the streamed
/// trades commit every few seconds, each partition of the tick, candles and trades tables holds
/// a handful of files, not one per commit, and the tables' logs show the scheduled OPTIMIZE
/// commits. A vacuum every
/// 14.4 s runs too, and `/api/v1/lake` reports the schedule and the runs (the Management view).
@Suite(.serialized) struct ScheduledCompactionTests {
    @Test func partitionsStaySmallWithoutAnyoneCompacting() async throws {
        let data = try TestEnvironment.temporaryDirectory("scheduled-compaction")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "5", "--data", data.path, "--port", "\(port)", "--interval", "1",
                        "--auto-compact", "4", "--auto-compact-files", "3", "--auto-vacuum", "0.004", "--vacuum-retention", "24"],
            label: "cryptoviz-up-compaction")
        try up.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        try await Task.sleep(for: .seconds(40))
        #expect(up.isRunning, "\(up.logTail())")
        let info = try await HTTPTestClient.get(port: port, "/api/v1/lake").json()
        let maintenance = try #require(info["maintenance"] as? [String: Any], "\(info.keys)")
        #expect((maintenance["compact_every_seconds"] as? NSNumber)?.doubleValue == 4)
        #expect(abs(((maintenance["vacuum_every_seconds"] as? NSNumber)?.doubleValue ?? 0) - 14.4) < 0.01, "\(maintenance)")
        #expect((maintenance["vacuum_retention_hours"] as? NSNumber)?.doubleValue == 24)
        let compactions = maintenance["compactions"] as? [[String: Any]] ?? []
        #expect(compactions.contains { $0["version"] != nil && $0["version"] is NSNumber }, "a compaction committed: \(compactions)")
        let vacuums = maintenance["vacuums"] as? [[String: Any]] ?? []
        // Two rounds at least (14.4 s apart in 40 s), three tables; nothing is a day old, so nothing is deleted.
        #expect(vacuums.count >= 6 && vacuums.allSatisfy { ($0["files_removed"] as? NSNumber)?.intValue == 0 }, "\(vacuums)")
        #expect(maintenance["last_error"] == nil || maintenance["last_error"] is NSNull, "\(maintenance)")
        _ = up.stop(signal: SIGTERM)

        let lake = try await Lake.open(store: try LocalFileStore(root: data.appendingPathComponent("lake").path))
        let ticks = try await lake.ticks().snapshot().delta
        let candles = try await lake.candles().snapshot().delta
        let trades = try await lake.trades().delta.latestSnapshot()
        for (name, snapshot) in [("ticks", ticks), ("candles", candles), ("trades", trades)] {
            let byPartition = Dictionary(grouping: snapshot.files) { file in
                snapshot.partitionColumns.map { (file.partitionValues[$0] ?? nil) ?? "" }.joined(separator: "/")
            }
            #expect(!byPartition.isEmpty, "\(name): no files")
            for (partition, files) in byPartition {
                // Three small files start a compaction, a round every 4 s, a commit every 5 s: at
                // most the compacted file and a few new ones (without the schedule, one per commit).
                #expect(files.count <= 4, "\(name) \(partition): \(files.count) files after \(snapshot.version) versions")
            }
            #expect(snapshot.version >= 7, "\(name): only \(snapshot.version) versions: the test wrote too little to mean anything")
            let log = data.appendingPathComponent("lake/\(name)/_delta_log")
            let commits = try FileManager.default.contentsOfDirectory(atPath: log.path).filter { $0.hasSuffix(".json") }
            let optimized = try commits.filter { try String(contentsOf: log.appendingPathComponent($0), encoding: .utf8).contains("\"OPTIMIZE\"") }
            #expect(!optimized.isEmpty, "\(name): no scheduled compaction in the log")
        }
    }
}
