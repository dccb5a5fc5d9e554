import Foundation
import Lakehouse
import Logging
import ObjectStore

/// `cryptoviz bench lake --open-commits N`: the time to open a table of N commits (load its
/// latest snapshot with a fresh handle) from its Parquet checkpoint plus the later JSON
/// commits, next to the same table with the checkpoints deleted (JSON replay from version 0).
extension BenchLakeCommand {
    func benchOpenTime(commits: Int, logger: Logger) async throws {
        let clock = ContinuousClock()
        let withPath = directory + "/open-with-checkpoints"
        let withoutPath = directory + "/open-without-checkpoints"
        let table = try await TickTable.open(store: try LocalFileStore(root: withPath), layout: .default, logger: logger)
        let step = Int64(stepSeconds) * 1000
        var begin = clock.now
        for k in 0..<commits {
            let from = Self.start + Int64(k) * step
            try await table.append(records(fromMillis: from, toMillis: from + step), transactions: ["bench": Int64(k)])
        }
        let version = try await table.snapshot().delta.version
        print(String(format: "open: wrote %d commits (%d rows each) in %.1f s", commits, assets * sources, seconds(clock.now - begin)))

        let fm = FileManager.default
        try fm.copyItem(atPath: withPath, toPath: withoutPath)
        let log = withoutPath + "/_delta_log"
        for name in try fm.contentsOfDirectory(atPath: log) where name.hasSuffix(".checkpoint.parquet") || name == "_last_checkpoint" {
            try fm.removeItem(atPath: log + "/" + name)
        }
        let checkpoints = try fm.contentsOfDirectory(atPath: withPath + "/_delta_log").filter { $0.hasSuffix(".checkpoint.parquet") }.count

        var stores: [(String, any ObjectStore)] = [
            ("with checkpoints", try LocalFileStore(root: withPath)), ("without checkpoints", try LocalFileStore(root: withoutPath)),
        ]
        if let openS3 {
            // Only the log matters for opening; upload it under <prefix>/with and <prefix>/without.
            let base = openS3.hasSuffix("/") ? openS3 : openS3 + "/"
            for (label, path, name) in [("with checkpoints", withPath, "with"), ("without checkpoints", withoutPath, "without")] {
                let s3 = try makeObjectStore(url: base + name, environment: ProcessInfo.processInfo.environment, logger: logger)
                let local = try LocalFileStore(root: path)
                for object in try await local.listAll(prefix: "_delta_log/") {
                    try await s3.put(object.key, try await local.get(object.key))
                }
                stores.append(("\(label), S3 \(base + name)", s3))
            }
        }
        for (label, store) in stores {
            var times: [Double] = []
            var files = 0
            for _ in 0..<5 {
                let delta = DeltaTable(store: store, logger: logger)
                begin = clock.now
                let snapshot = try await delta.latestSnapshot()
                times.append(seconds(clock.now - begin))
                guard snapshot.version == version else { throw LakehouseError(.other, "\(label): opened version \(snapshot.version), wrote \(version)") }
                files = snapshot.activeFiles.count
            }
            times.sort()
            print(String(format: "open %@: version %lld, %d active files, median %.3f s (min %.3f, max %.3f) over 5 fresh handles",
                         label, version, files, times[2], times[0], times[4]))
        }
        print("open: \(checkpoints) checkpoint files in the log with checkpoints")
    }
}
