import Foundation
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// A lake holds its tables side by side (`ticks/`, `candles/`), each a Delta table of its own
/// that the others' maintenance never touches.
@Suite struct LakeTests {
    @Test func tablesLiveInSiblingFoldersAndVacuumKeepsToItsOwn() async throws {
        let (store, dir) = try TickFixtures.localStore("lake-siblings")
        let lake = try await Lake.open(store: store)
        #expect(try await lake.existingCandles() == nil)
        await #expect { try await lake.existingTicks() } throws: { ($0 as? LakehouseError)?.code == .tableNotFound }

        let ticks = try await lake.ticks()
        // Two appends, so that compaction has files to merge and vacuum files to delete.
        try await ticks.append(TickFixtures.records(count: 5))
        try await ticks.append(TickFixtures.records(count: 5, offset: 5))
        let candles = try await lake.candles()
        try await candles.append(CandleFixtures.records(count: 4))
        #expect(try await lake.existingCandles() != nil)
        let top = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(top == ["candles", "ticks"])
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ticks/_delta_log/00000000000000000000.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("candles/_delta_log/00000000000000000000.json").path))

        // Vacuum with zero retention deletes every unreferenced file under a table's folder:
        // the other table's files are outside it.
        _ = try await ticks.compact()
        #expect(try await !ticks.vacuum(retentionMillis: 0).isEmpty)
        #expect(try await candles.vacuum(retentionMillis: 0).isEmpty)
        #expect(try await candles.candles(interval: .oneHour).count == 16)
        #expect(try await ticks.ticks().count == 60)

        // A new handle on the same lake sees both tables.
        let reopened = try await Lake.open(store: store)
        #expect(try await reopened.existingTicks().snapshot().version == ticks.snapshot().version)
        #expect(try await reopened.existingCandles()?.candles(interval: .oneHour).count == 16)
    }
}
