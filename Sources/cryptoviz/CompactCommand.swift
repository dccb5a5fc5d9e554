import ArgumentParser
import Foundation
import Lakehouse
import Logging

/// `cryptoviz lake compact` (also `cryptoviz compact`): merge each partition's small files into larger ones (one commit).
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compact", abstract: "Merge small data files per partition (Delta OPTIMIZE).")

    @OptionGroup var location: LakeLocationOptions
    @Option(help: "Target file size in MiB.") var targetMib: Int64 = 128
    @Option(help: "Rewrite a partition only if it has at least this many small files.") var minFiles: Int = 2

    func run() async throws {
        let (table, _) = try await location.openTable(logger: Logger(label: "cryptoviz.lakehouse"))
        let cpu = CPUClock.seconds()
        let start = ContinuousClock.now
        let result = try await table.compact(targetFileBytes: targetMib << 20, minFiles: minFiles)
        let timing = String(format: "%.3f s, %.3f s CPU", (ContinuousClock.now - start).benchSeconds, CPUClock.seconds() - cpu)
        if let version = result.version {
            print("compacted \(result.partitions) partitions: \(result.filesRemoved) files -> \(result.filesAdded) (version \(version)) in \(timing)")
        } else {
            print("nothing to compact")
        }
    }
}
