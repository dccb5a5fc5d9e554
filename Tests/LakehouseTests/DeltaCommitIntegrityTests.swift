import Foundation
import Logging
import ObjectStore
import Testing
@testable import Lakehouse

/// A damaged commit file is an error naming the file, never an empty commit: in the issue a
/// 0-byte newest commit made 484 rows vanish without a warning.
@Suite struct DeltaCommitIntegrityTests {
    /// A tick table of three appends (versions 1...3) and the path of its newest commit file.
    func tableWithThreeAppends(_ label: String) async throws -> (TickTable, URL, URL) {
        let (store, dir) = try TickFixtures.localStore(label)
        let table = try await TickTable.open(store: store)
        for batch in 0..<3 { try await table.append(TickFixtures.records(count: 5, offset: batch * 5)) }
        let newest = dir.appendingPathComponent("_delta_log/00000000000000000003.json")
        return (table, dir, newest)
    }

    static let damage: [(String, [UInt8])] = [
        ("truncated to 0 bytes", []),
        ("blank lines only", Array("\n \n".utf8)),
        ("a line that is not JSON", Array("{\"commitInfo\":{}}\n{\"add\":{\"path\":\"x.parquet\",\"si".utf8)),
    ]

    @Test(arguments: damage.indices)
    func aDamagedNewestCommitIsAnErrorNamingTheFile(_ index: Int) async throws {
        let (table, dir, newest) = try await tableWithThreeAppends("delta-damaged")
        #expect(try await table.snapshot().info().rows == 90)
        try Data(Self.damage[index].1).write(to: newest)

        let error = await #expect(throws: LakehouseError.self, "\(Self.damage[index].0)") {
            _ = try await TickTable.openExisting(store: try LocalFileStore(root: dir.path))
        }
        #expect(error?.code == .corruptLog)
        #expect(error?.message.contains("_delta_log/00000000000000000003.json") == true, "\(String(describing: error))")
        if index == 0 { #expect(error?.message.contains("empty (0 bytes)") == true, "\(String(describing: error))") }

        // A long-lived handle that read version 2 before the damage refuses it as well.
        let (store, dir2) = try TickFixtures.localStore("delta-damaged-cached")
        let cached = try await TickTable.open(store: store)
        for batch in 0..<2 { try await cached.append(TickFixtures.records(count: 5, offset: batch * 5)) }
        _ = try await cached.snapshot()
        try Data(Self.damage[index].1).write(to: dir2.appendingPathComponent("_delta_log/00000000000000000003.json"))
        await #expect(throws: LakehouseError.self) { _ = try await cached.snapshot() }
    }

    @Test func decodeCommitRejectsAFileWithoutActions() {
        for bytes in [[], Array("\n\n".utf8)] as [[UInt8]] {
            let error = #expect(throws: LakehouseError.self) { try DeltaAction.decodeCommit(bytes, version: 12) }
            #expect(error?.code == .corruptLog && error?.message.hasPrefix("commit 12 ") == true)
        }
    }
}
