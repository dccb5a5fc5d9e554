import ArgumentParser
import Foundation
import Lakehouse
import Logging

/// `cryptoviz lake info`: version, files, partitions, sizes and stream offsets of the table.
struct LakeInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the table's version, files, partitions and sizes.")

    @OptionGroup var location: LakeLocationOptions
    @Option(help: "Show the table as of this version (time travel).") var version: Int64?
    @Flag(help: "List every partition.") var partitions = false

    func run() async throws {
        let (table, lake) = try await location.openTable(logger: Logger(label: "cryptoviz.lakehouse"))
        let snapshot: TickSnapshot
        if let version { snapshot = try await table.snapshot(version: version) } else { snapshot = try await table.snapshot() }
        let info = snapshot.info()
        print("table        \(lake)")
        print("version      \(info.version) (\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(info.timestampMillis) / 1000))))")
        print("protocol     reader \(info.protocolVersion.reader), writer \(info.protocolVersion.writer)")
        print("layout       \(info.layout?.rawValue ?? "other") (partitioned by \(info.partitionColumns.joined(separator: ", ")))")
        print("files        \(info.files)")
        print("partitions   \(info.partitions)")
        print("rows         \(info.rows)")
        print("bytes        \(info.bytes) (\(formatBytes(info.bytes)))")
        for (app, offset) in info.transactions.sorted(by: { $0.key < $1.key }) {
            print("stream       \(app) -> \(offset)")
        }
        if partitions {
            for p in snapshot.partitions() {
                print("  \(p.path)  files=\(p.files) rows=\(p.rows) bytes=\(p.bytes)")
            }
        }
    }
}
