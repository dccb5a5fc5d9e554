import CryptoVizCore
import Testing
@testable import Server

@Suite struct InMemoryMarketDataTests {
    static let day: Int64 = 86_400_000

    func filled(now: Int64 = 10 * day) async -> InMemoryMarketData {
        let data = InMemoryMarketData(clock: { now })
        for batch in 0..<4 {
            var ticks: [Tick] = []
            for i in 0..<5 {
                let at = now - Int64(batch * 5 + i) * 60_000
                ticks.append(SampleTicks.tick("a", "bitcoin", price: Double(100 + batch * 5 + i), at: at))
                ticks.append(SampleTicks.tick("b", "bitcoin", price: Double(200 + batch * 5 + i), at: at))
            }
            await data.append(ticks)
        }
        return data
    }

    @Test func dropsDuplicateEvents() async {
        let data = InMemoryMarketData()
        let tick = SampleTicks.tick("a", "bitcoin", price: 1, at: 1_000)
        #expect(await data.append([tick, tick]) == 1)
        #expect(await data.append([tick]) == 0)
        #expect(await data.lakeVersions().count == 2)
    }

    @Test func pagingVisitsEveryTickOnceInKeyOrder() async throws {
        let data = await filled()
        var seen: [TickCursor] = []
        var cursor: TickCursor?
        repeat {
            let page = try await data.ticks(TickQuery(asset: "bitcoin", fromMillis: 0, toMillis: .max, limit: 7, after: cursor))
            seen += page.ticks.map(TickCursor.init)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 40)
        #expect(seen == seen.sorted())
        #expect(Set(seen).count == 40)
    }

    @Test func rangeIsFromInclusiveToExclusiveAndFiltersSources() async throws {
        let now = 10 * Self.day
        let data = await filled(now: now)
        let page = try await data.ticks(TickQuery(asset: "bitcoin", sources: ["b"], fromMillis: now - 120_000, toMillis: now, limit: 100))
        #expect(page.ticks.map(\.sourceTimeMillis) == [now - 120_000, now - 60_000])
        #expect(page.ticks.allSatisfy { $0.source == "b" })
    }

    @Test func compactionMergesFilesAndKeepsOldVersionsReadable() async throws {
        let data = await filled()
        let before = await data.lakeInfo()
        let result = await data.compact()
        let after = await data.lakeInfo()
        #expect(result.version == before.version + 1)
        #expect(after.version == before.version + 1)
        #expect(after.fileCount < before.fileCount)
        #expect(after.recordCount == before.recordCount)
        #expect(await data.lakeVersions().first?.operation == "OPTIMIZE")
        #expect(await data.compact().version == nil)
        let old = try await data.ticks(TickQuery(asset: "bitcoin", fromMillis: 0, toMillis: .max, limit: 1000, asOfVersion: 1))
        #expect(old.ticks.count == 10)

        let dryRun = await data.vacuum(dryRun: true)
        #expect(dryRun.files.count == result.filesRemoved)
        #expect(await data.lakeInfo().fileCount == after.fileCount)
        let vacuumed = await data.vacuum(dryRun: false)
        #expect(vacuumed.files == dryRun.files)
        await #expect(throws: MarketDataError.self) {
            try await data.ticks(TickQuery(asset: "bitcoin", fromMillis: 0, toMillis: .max, limit: 10, asOfVersion: 1))
        }
        #expect(try await data.ticks(TickQuery(asset: "bitcoin", fromMillis: 0, toMillis: .max, limit: 1000)).ticks.count == 40)
    }

    @Test func retentionRemovesOnlyOlderTicks() async throws {
        let now = 10 * Self.day
        let data = InMemoryMarketData(clock: { now })
        await data.append([
            SampleTicks.tick("a", "bitcoin", price: 1, at: now - 3 * Self.day),
            SampleTicks.tick("a", "bitcoin", price: 2, at: now - Self.day / 2),
        ])
        let result = await data.applyRetention(days: 1)
        #expect(result.recordsRemoved == 1)
        #expect(result.version != nil)
        let left = try await data.ticks(TickQuery(asset: "bitcoin", fromMillis: 0, toMillis: .max, limit: 10))
        #expect(left.ticks.map(\.price) == [2])
    }

    @Test func inMemorySQLFiltersOrdersAndLimits() async throws {
        let data = await filled()
        let result = try await data.executeSQL("SELECT source, price FROM ticks WHERE source = 'b' AND price >= 210 ORDER BY price DESC LIMIT 3", rowLimit: 100)
        #expect(result.columns == ["source", "price"])
        #expect(result.rows == [[.string("b"), .double(219)], [.string("b"), .double(218)], [.string("b"), .double(217)]])
        let count = try await data.executeSQL("select count(*) from ticks", rowLimit: 10)
        #expect(count.rows == [[.int(40)]])
        await #expect(throws: MarketDataError.self) { try await data.executeSQL("SELECT nope FROM ticks", rowLimit: 10) }
        // Several sort keys: source ascending, then price descending within each.
        let sorted = try await data.executeSQL("SELECT source, price FROM ticks ORDER BY source, price DESC LIMIT 2", rowLimit: 100)
        #expect(sorted.rows.map { $0[0] } == [.string("a"), .string("a")])
        #expect(sorted.rows.count == 2 && SQLValueOrder.less(sorted.rows[1][1], sorted.rows[0][1]))
    }

    /// The Explorer's schema browser asks the catalog as it would ask DuckDB.
    @Test func inMemorySQLAnswersTheColumnCatalog() async throws {
        let data = await filled()
        let result = try await data.executeSQL("""
            SELECT table_name, column_name, data_type FROM information_schema.columns \
            WHERE table_schema = 'main' ORDER BY table_name, ordinal_position
            """, rowLimit: 1000)
        #expect(result.columns == ["table_name", "column_name", "data_type"])
        #expect(result.rows.map { $0[1] } == InMemorySQL.columns.map { .string($0) })
        #expect(result.rows.first == [.string("ticks"), .string("source"), .string("VARCHAR")])
        #expect(result.rows.contains([.string("ticks"), .string("price"), .string("DOUBLE")]))
        #expect(result.rows.contains([.string("ticks"), .string("source_time_ms"), .string("BIGINT")]))
        await #expect(throws: MarketDataError.self) { try await data.executeSQL("SELECT * FROM information_schema.tables", rowLimit: 10) }
    }
}

/// Orders two SQL values in tests (numbers by value).
enum SQLValueOrder {
    static func less(_ a: SQLValue, _ b: SQLValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): x < y
        case (.int(let x), .int(let y)): x < y
        default: false
        }
    }
}
