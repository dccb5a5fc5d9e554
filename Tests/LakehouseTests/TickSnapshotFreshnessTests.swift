import CryptoVizCore
import Foundation
import Testing
@testable import Lakehouse

@Suite struct TickSnapshotFreshnessTests {
    @Test func newestSourceTimePerSourceComesFromFileStatistics() async throws {
        let (store, directory) = try TickFixtures.localStore("tick-freshness")
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try await TickTable.open(store: store)
        try await table.append(TickFixtures.records(count: 90))  // both sources, 23:00 to 00:29
        try await table.append(TickFixtures.records(count: 10, offset: 90).filter { $0.tick.source == .binance })
        let snapshot = try await table.snapshot()
        let minute: Int64 = 60_000
        #expect(snapshot.newestSourceTimes(sinceMillis: TickFixtures.start) == [
            .coinGecko: TickFixtures.start + 89 * minute,
            .binance: TickFixtures.start + 99 * minute,
        ])
        // Only files that may hold rows from `since` on count.
        #expect(snapshot.newestSourceTimes(sinceMillis: TickFixtures.start + 95 * minute) == [.binance: TickFixtures.start + 99 * minute])
        #expect(snapshot.newestSourceTimes(sinceMillis: TickFixtures.start + 100 * minute).isEmpty)
    }
}
