import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport

/// `up --demo` on a short compaction schedule: while ticks and rollup candles commit every
/// few seconds, each partition of the tick and candles tables holds a handful of files, not
/// one per commit, and the tables' logs show the scheduled OPTIMIZE commits.
@Suite(.serialized) struct ScheduledCompactionTests {
    @Test func partitionsStaySmallWithoutAnyoneCompacting() async throws {
        let data = try TestEnvironment.temporaryDirectory("scheduled-compaction")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            arguments: ["up", "--demo", "--demo-assets", "5", "--data", data.path, "--port", "\(port)", "--interval", "1",
                        "--auto-compact", "4", "--auto-compact-files", "3"],
            label: "cryptoviz-up-compaction")
        try up.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        try await Task.sleep(for: .seconds(40))
        #expect(up.isRunning, "\(up.logTail())")
        _ = up.stop(signal: SIGTERM)

        let lake = try await Lake.open(store: try LocalFileStore(root: data.appendingPathComponent("lake").path))
        let ticks = try await lake.ticks().snapshot().delta
        let candles = try await lake.candles().snapshot().delta
        for (name, snapshot) in [("ticks", ticks), ("candles", candles)] {
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
